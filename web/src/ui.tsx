import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly loading: boolean;
}

/** Requests started before the page that needs them rendered, by `useLoad` key (taken once). */
const preloaded = new Map<string, Promise<unknown>>();

/**
 * Starts `load` now for the `useLoad(key, …)` of a page about to render, so that its request leaves before
 * the page's first render and effects (the first page of a visit: see main.tsx).
 */
export function preload<T>(key: string, load: () => Promise<T>): void {
  const p = load();
  p.catch(() => undefined);
  preloaded.set(key, p);
}

/** Runs `load` whenever `key` changes (or takes its `preload`ed request); the newest answer wins. */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null, loading: true }));
    const early = preloaded.get(key) as Promise<T> | undefined;
    preloaded.delete(key);
    // an early request refused for want of the token (asked for by then) is made again, as any other
    const answer = early
      ? early.catch((err: unknown) =>
          err instanceof ApiError && err.status === 401 ? load() : Promise.reject(err),
        )
      : load();
    answer.then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) =>
        live &&
        setState({
          data: null,
          error: err instanceof ApiError || err instanceof Error ? err.message : String(err),
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}

export function Status<T>({
  state,
  children,
}: {
  state: Loaded<T>;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error)
    return (
      <p class="error" role="alert">
        {state.error}
      </p>
    );
  if (state.data === null) return <p class="loading">loading…</p>;
  return <>{children(state.data)}</>;
}

/** Characters shown as their code point, not applied: controls, bidi overrides and isolates, zero-widths. */
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** A run of this many characters without a space gets a break opportunity (<wbr>) every `CHUNK` characters. */
const LONG_RUN = /[^\s]{80,}/g;
const CHUNK = 64;

/**
 * Plain text with a break opportunity inside every long run without spaces: the browser's line breaker
 * handles a megabyte-long "word" in linear time this way (with `overflow-wrap: anywhere` alone it takes
 * tens of seconds), and the text still copies as it was.
 */
function breakable(text: string, key: string): ComponentChildren[] {
  if (text.length < 80) return [text];
  const out: ComponentChildren[] = [];
  let last = 0;
  let k = 0;
  for (const m of text.matchAll(LONG_RUN)) {
    const i = m.index ?? 0;
    if (i > last) out.push(text.slice(last, i));
    for (let j = 0; j < m[0].length; j += CHUNK) {
      out.push(m[0].slice(j, j + CHUNK));
      out.push(<wbr key={`${key}w${k++}`} />);
    }
    last = i + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Untrusted text (model outputs, prompts, annotations, run ids, model names) as text nodes only, with every
 * invisible or direction-changing character shown as a visible `U+XXXX` chip so it cannot reorder the page.
 */
export function ModelText({ text, class: cls }: { text: string; class?: string }) {
  const parts: ComponentChildren[] = [];
  let last = 0;
  let k = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    const i = m.index ?? 0;
    if (i > last) parts.push(...breakable(text.slice(last, i), `t${k}`));
    const cp = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    parts.push(
      <span class="ctl" key={k++} title="invisible or direction-changing character">
        U+{cp}
      </span>,
    );
    last = i + m[0].length;
    if (parts.length > 20_000) break;
  }
  if (last < text.length) parts.push(...breakable(text.slice(last), 'end'));
  return <span class={`mtext ${cls ?? ''}`}>{parts}</span>;
}

/** Characters of a long text shown before the reader asks for the rest. */
export const SHOWN_CHARS = 20_000;

/** A long untrusted text: its first {@link SHOWN_CHARS} characters, and a button for the whole of it. */
export function LongText({ text }: { text: string }) {
  const [all, setAll] = useState(false);
  if (all || text.length <= SHOWN_CHARS) return <ModelText text={text} />;
  return (
    <>
      <ModelText text={text.slice(0, SHOWN_CHARS)} />
      <p class="muted cut">
        showing the first {SHOWN_CHARS.toLocaleString('en-US')} of {text.length.toLocaleString('en-US')}{' '}
        characters{' '}
        <button type="button" onClick={() => setAll(true)} data-testid="show-all">
          show all
        </button>
      </p>
    </>
  );
}

export function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toFixed(digits);
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`;
}

const CATEGORY_COLOURS = ['#d9822b', '#c23b3b', '#8e44ad', '#2c7fb8', '#7f8c8d', '#b5651d', '#16a085'];
export const COMPLIANT = '#4a9d6a';
export const UNCLASSIFIED = '#b9bec5';

/** A category's colour: fixed for 2, 3, 4, 5 (the seed's categories), then by hash. */
export function categoryColour(category: string): string {
  const n = Number(category);
  if (Number.isInteger(n) && n >= 2 && n <= 8) return CATEGORY_COLOURS[n - 2]!;
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return CATEGORY_COLOURS[h % CATEGORY_COLOURS.length]!;
}

export function classLabel(classification: string | null, category: string | number | null): string {
  if (classification === null) return 'unclassified';
  if (classification === 'compliant') return 'compliant';
  return category === null ? 'non-compliant' : `Category ${category}`;
}

export function ClassChip({
  classification,
  category,
}: {
  classification: string | null;
  category: string | number | null;
}) {
  const colour =
    classification === 'compliant'
      ? COMPLIANT
      : classification === null
        ? UNCLASSIFIED
        : categoryColour(String(category ?? '?'));
  return (
    <span class="chip">
      <span class="swatch" style={{ background: colour }} />
      <ModelText text={classLabel(classification, category)} />
    </span>
  );
}

/**
 * A chart the server rendered to SVG from its Vega-Lite spec (the report's renderer), shown as an image: an
 * SVG in an <img> runs no script and loads nothing.
 */
export function SvgImage({ svg, alt }: { svg: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const u = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [svg]);
  return url ? <img class="chart-img" src={url} alt={alt} /> : null;
}

export interface LineSeries {
  readonly name: string;
  readonly colour: string;
  readonly dash?: string;
  readonly points: readonly { readonly x: number; readonly y: number | null }[];
}

export interface Mark {
  readonly x: number;
  readonly label: string;
}

/** A small line chart drawn as SVG elements (text as text nodes), with vertical marks (calibration events). */
export function LineChart({
  series,
  marks = [],
  height = 220,
  yLabel,
  xLabel,
  yDomain,
  title,
}: {
  series: readonly LineSeries[];
  marks?: readonly Mark[];
  height?: number;
  yLabel: string;
  xLabel: string;
  yDomain?: readonly [number, number];
  title: string;
}) {
  const width = 720;
  const pad = { l: 52, r: 32, t: 12, b: 34 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).concat(marks.map((m) => m.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null));
  if (xs.length === 0 || ys.length === 0) return <p class="muted">No data to draw for {title}.</p>;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const [y0, y1] = yDomain ?? [Math.min(0, ...ys), Math.max(...ys, 1e-9)];
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - y0) / (y1 - y0 || 1)) * (height - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => y0 + f * (y1 - y0));
  const xticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(x0 + f * (x1 - x0)));
  return (
    <figure class="linechart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title} class="chart-svg">
        {ticks.map((t) => (
          <g key={`y${t}`}>
            <line x1={pad.l} x2={width - pad.r} y1={sy(t)} y2={sy(t)} class="grid" />
            <text x={pad.l - 6} y={sy(t) + 4} text-anchor="end" class="tick">
              {fmt(t, 2)}
            </text>
          </g>
        ))}
        {xticks.map((t) => (
          <text key={`x${t}`} x={sx(t)} y={height - 16} text-anchor="middle" class="tick">
            {t.toLocaleString('en-US')}
          </text>
        ))}
        <text x={(pad.l + width - pad.r) / 2} y={height - 2} text-anchor="middle" class="axis-label">
          {xLabel}
        </text>
        <text
          x={12}
          y={(pad.t + height - pad.b) / 2}
          text-anchor="middle"
          class="axis-label"
          transform={`rotate(-90 12 ${(pad.t + height - pad.b) / 2})`}
        >
          {yLabel}
        </text>
        {marks.map((m) => (
          <g key={`m${m.label}${m.x}`} class="event-mark">
            <line x1={sx(m.x)} x2={sx(m.x)} y1={pad.t} y2={height - pad.b} />
            <text x={sx(m.x) + 3} y={pad.t + 10} class="tick">
              {m.label}
            </text>
            <title>{m.label}</title>
          </g>
        ))}
        {series.map((s) => {
          const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null);
          return (
            <g key={s.name} class="series" data-series={s.name}>
              <polyline
                fill="none"
                stroke={s.colour}
                stroke-width="2"
                stroke-dasharray={s.dash}
                points={pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}
              />
              {pts.map((p) => (
                <circle key={p.x} cx={sx(p.x)} cy={sy(p.y)} r="2.2" fill={s.colour}>
                  <title>
                    {s.name}: {fmt(p.y)} at {p.x.toLocaleString('en-US')}
                  </title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        {series.map((s) => (
          <span key={s.name} class="legend-item">
            <span class="swatch" style={{ background: s.colour }} />
            <ModelText text={s.name} />
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="panel" id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
