/**
 * Escapes text for HTML element content and quoted attribute values. Model outputs and annotations are
 * untrusted: everything that is not our own markup goes through this (or `escapeText` for bidi safety).
 */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Untrusted text for display: HTML-escaped, and with bidirectional control characters (which can reorder
 * what a reader sees, "Trojan Source") and other invisible controls shown as visible code points.
 */
export function escapeText(text: string): string {
  return escapeHtml(text).replace(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `<span class="ctl">U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}</span>`,
  );
}

/** Markdown: untrusted text inside a fenced or inline context cannot break out of it. */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/([\\`*_{}[\]()#+!|<>~])/g, '\\$1');
}
