import { createHash } from 'node:crypto';

/**
 * Value conversions shared by the importers. They never validate: a value that does not convert is passed
 * on unchanged, so `validateRow` rejects it naming the record field and the value.
 */

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Text of a prompt or completion: a string, or chat messages (`[{role, content}]`, content parts). */
export function messageText(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.map(messageText);
    return parts.every((p) => typeof p === 'string') ? parts.join('\n\n') : value;
  }
  if (value !== null && typeof value === 'object') {
    const v = value as { content?: unknown; text?: unknown };
    if (typeof v.text === 'string') return v.text;
    if (v.content !== undefined) return messageText(v.content);
  }
  return value;
}

/** A number from a CSV cell (`textual`), else the value as it is. */
export function numberOf(value: unknown, textual: boolean): unknown {
  if (textual && typeof value === 'string' && NUMBER_RE.test(value.trim())) return Number(value);
  return value;
}

/** Ids may be numbers in the source; the record keeps them as text. */
export function idText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
}

/** A group id for rollouts that share a prompt, when the source names none: a hash of the prompt text. */
export function promptHash(prompt: string): string {
  return `p-${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`;
}

/** Inspect scores: numbers, booleans, and the letter grades C (correct), P (partial), I (incorrect). */
export function scoreValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === 'C') return 1;
  if (value === 'P') return 0.5;
  if (value === 'I' || value === 'N') return 0;
  return value;
}
