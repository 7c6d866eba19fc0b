// The dashboard's client of the JSON API (docs/api.md): every request sends the server token, when one was
// given, as a bearer header; a 401 asks the user for it once (kept for the browser tab's session).

const TOKEN_KEY = 'rlaudit-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(t: string): void {
  sessionStorage.setItem(TOKEN_KEY, t);
}

function headers(): HeadersInit {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/** GET /api/<path> as JSON; `query` values are encoded, undefined ones left out. */
export async function api<T>(
  path: string,
  query: Record<string, string | number | undefined> = {},
): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  const res = await fetch(`/api/${path}${qs ? `?${qs}` : ''}`, { headers: headers() });
  if (res.status === 401) {
    onUnauthorized?.();
    throw new ApiError(401, 'this server needs its token');
  }
  const body = (await res.json().catch(() => null)) as { message?: string } | null;
  if (!res.ok) throw new ApiError(res.status, body?.message ?? `${res.status} ${res.statusText}`);
  return body as T;
}

/** A run id as one path segment of the API. */
export const seg = (s: string | number) => encodeURIComponent(String(s));

/**
 * Follows a server-sent-event stream with the token header (EventSource cannot send one): calls `onEvent` for
 * each event, reconnects after a drop. Returns a function that stops it.
 */
export function followEvents(path: string, onEvent: (event: string, data: string) => void): () => void {
  let stopped = false;
  let controller: AbortController | null = null;
  const loop = async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch(`/api/${path}`, { headers: headers(), signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end = buf.indexOf('\n\n');
          while (end >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (data.length > 0) onEvent(event, data.join('\n'));
            end = buf.indexOf('\n\n');
          }
        }
      } catch {
        // dropped or refused: try again shortly
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void loop();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
