import { useEffect, useState } from 'preact/hooks';

/** A place in the app: the URL's hash, `#/run/<run>/session/<n>?…`, so every page has a link to share. */
export interface Route {
  readonly parts: readonly string[];
  readonly query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?', 2) as [string?, string?];
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  return { parts, query: new URLSearchParams(qs) };
}

/** The hash link of a path (each part encoded) and query (undefined and empty values left out). */
export function href(
  parts: readonly (string | number)[],
  query: Record<string, string | number | undefined> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(link: string): void {
  if (location.hash !== link) location.hash = link;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
