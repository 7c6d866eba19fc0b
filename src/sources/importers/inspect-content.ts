/**
 * The text of Inspect chat content (`inspect_ai.model`: `ChatMessage*`, `Content*`). A message's `content`
 * is a string or a list of parts: `{type:'text', text}`, `{type:'reasoning', reasoning, redacted,
 * summary}`, `{type:'image', image}`, `{type:'audio', audio, format}`, `{type:'video', …}`,
 * `{type:'document', …}`, `{type:'data', …}`, `{type:'tool_use', name, …}`; an assistant message may also
 * carry `tool_calls` (`{id, function, arguments}`).
 *
 * The record keeps text: text parts are joined with a newline (as Inspect's `ChatMessage.text` does),
 * messages with a blank line. Every other part leaves a placeholder in the text (`[image]`,
 * `[tool call: search]`) and is kept, with large `data:` URIs replaced by a stub; reasoning is kept apart
 * (it is not the output the reward saw, and is analysed on its own). Strings `attachment://<hash>` are
 * resolved from the sample's `attachments` (where Inspect moves large content).
 */

/** The text of a prompt or an output, and what was not text. */
export interface InspectText {
  readonly text: string;
  /** Parts per kind (`text`, `image`, `reasoning`, `tool_call`, …); empty for plain string content. */
  readonly counts: Readonly<Record<string, number>>;
  /** Reasoning text, one item per reasoning part (redacted reasoning: its summary, if any). */
  readonly reasoning: readonly string[];
  /** The parts that are neither text nor reasoning, as given (large `data:` URIs stubbed). */
  readonly parts: readonly unknown[];
}

/** A `data:` URI longer than this is replaced by a stub naming its type and length. */
export const MAX_KEPT_DATA_URI = 1024;

const ATTACHMENT = 'attachment://';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class Collector {
  readonly counts: Record<string, number> = {};
  readonly reasoning: string[] = [];
  readonly parts: unknown[] = [];
  constructor(private readonly attachments: Readonly<Record<string, unknown>>) {}

  resolve(s: string): string {
    if (!s.startsWith(ATTACHMENT)) return s;
    const v = this.attachments[s.slice(ATTACHMENT.length)];
    return typeof v === 'string' ? v : s;
  }

  count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** The text of one content part, or null when it is not a part. */
  part(p: unknown): string | null {
    if (typeof p === 'string') return this.resolve(p);
    if (!isObject(p) || typeof p.type !== 'string') return null;
    const kind = p.type;
    if (kind === 'text' && typeof p.text === 'string') {
      this.count('text');
      return this.resolve(p.text);
    }
    if (kind === 'reasoning') {
      this.count('reasoning');
      if (p.redacted === true) {
        this.count('reasoning_redacted');
        if (typeof p.summary === 'string') this.reasoning.push(this.resolve(p.summary));
      } else if (typeof p.reasoning === 'string') this.reasoning.push(this.resolve(p.reasoning));
      return '';
    }
    this.count(kind);
    this.parts.push(stubbed(p));
    const name = typeof p.name === 'string' ? `: ${p.name}` : '';
    return `[${kind.replace(/_/g, ' ')}${name}]`;
  }

  /** The text of a message's content (string or parts), or null when it is neither. */
  content(c: unknown): string | null {
    if (typeof c === 'string') return this.resolve(c);
    if (!Array.isArray(c)) return null;
    const texts: string[] = [];
    for (const p of c) {
      const t = this.part(p);
      if (t === null) return null;
      if (t !== '') texts.push(t);
    }
    return texts.join('\n');
  }

  /** The text of one chat message, with a placeholder per tool call; null when it is not a message. */
  message(m: unknown): string | null {
    if (!isObject(m) || !('content' in m)) return this.part(m);
    const text = this.content(m.content);
    if (text === null) return null;
    const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
    const placeholders = calls.map((call) => {
      this.count('tool_call');
      this.parts.push(isObject(call) ? { type: 'tool_call', ...stubbed(call) } : call);
      const fn = isObject(call) && typeof call.function === 'string' ? `: ${call.function}` : '';
      return `[tool call${fn}]`;
    });
    return [text, ...placeholders].filter((t) => t !== '').join('\n');
  }
}

/**
 * The text of an Inspect input (a string or a list of chat messages) or of one message or content list.
 * Null when `value` has none of these shapes: the caller passes the value on, and validation rejects it
 * naming the field.
 *
 * @example
 * inspectText([{ role: 'user', content: [{ type: 'text', text: 'What is shown?' }, { type: 'image', image: 'data:…' }] }])
 * // → { text: 'What is shown?\n[image]', counts: { text: 1, image: 1 }, reasoning: [], parts: [{ type: 'image', … }] }
 */
export function inspectText(
  value: unknown,
  attachments: Readonly<Record<string, unknown>> = {},
): InspectText | null {
  const c = new Collector(attachments);
  let text: string | null;
  if (Array.isArray(value) && value.every((m) => isObject(m) && 'content' in m)) {
    const texts: string[] = [];
    for (const m of value) {
      const t = c.message(m);
      if (t === null) return null;
      texts.push(t);
    }
    text = texts.join('\n\n');
  } else if (isObject(value) && 'content' in value) text = c.message(value);
  else text = c.content(value);
  if (text === null) return null;
  return { text, counts: c.counts, reasoning: c.reasoning, parts: c.parts };
}

/** Whether content had anything but text (then its counts are kept in meta). */
export function hasNonText(t: InspectText): boolean {
  return Object.keys(t.counts).some((k) => k !== 'text');
}

/** A shallow copy of a part with each long `data:` URI replaced by `data:<type> (N chars, not kept)`. */
function stubbed(part: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(part)) {
    if (typeof v === 'string' && v.length > MAX_KEPT_DATA_URI && v.startsWith('data:')) {
      const type = v.slice(5, Math.max(5, v.indexOf(','))).split(';')[0] || 'data';
      out[k] = `data:${type} (${v.length} chars, not kept)`;
    } else out[k] = v;
  }
  return out;
}
