import { useEffect, useRef, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { href, navigate } from '../router.ts';
import type { IndexCell, SessionIndex } from '../types.ts';
import { COMPLIANT, categoryColour, fmt, Section, Status, UNCLASSIFIED, useLoad } from '../ui.tsx';
import { panRange, type Range, zoomRange } from './index-zoom.ts';
import { ClusterReview } from './review.tsx';

const MAX_CELLS = 2000;
const WIDTH = 1080;

/** Cell size and columns: every cell on screen, as large as fits. */
function layout(n: number): { size: number; cols: number } {
  const size = n <= 400 ? 24 : n <= 1000 ? 16 : 12;
  return { size, cols: Math.max(1, Math.floor(WIDTH / size)) };
}

/** The shares of one cell, in drawing order: compliant, each category, unclassified. */
function shares(c: IndexCell): { colour: string; n: number }[] {
  return [
    { colour: COMPLIANT, n: c.compliant },
    ...Object.keys(c.categories)
      .sort()
      .map((k) => ({ colour: categoryColour(k), n: c.categories[k] ?? 0 })),
    { colour: UNCLASSIFIED, n: c.unclassified },
  ].filter((s) => s.n > 0);
}

/** True when no session of the index is classified: the cells are then coloured by mean reward. */
function byReward(idx: SessionIndex): boolean {
  return idx.cells.every((c) => c.unclassified === c.sessions) && idx.cells.some((c) => c.reward !== null);
}

/** A reward on the shown range as a colour from red (its lowest) to green (its highest). */
function rewardColour(r: number | null, lo: number, hi: number): string {
  if (r === null) return UNCLASSIFIED;
  const t = hi > lo ? (r - lo) / (hi - lo) : 0.5;
  return `hsl(${Math.round(t * 120)}, 55%, 48%)`;
}

function rewardRange(idx: SessionIndex): [number, number] {
  const rs = idx.cells.map((c) => c.reward).filter((r): r is number => r !== null);
  return [Math.min(...rs), Math.max(...rs)];
}

function draw(
  canvas: HTMLCanvasElement,
  idx: SessionIndex,
  sel: [number, number] | null,
  cursor: number,
): void {
  const reward = byReward(idx);
  const [lo, hi] = reward ? rewardRange(idx) : [0, 1];
  const { size, cols } = layout(idx.cells.length);
  const rows = Math.max(1, Math.ceil(idx.cells.length / cols));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = cols * size * dpr;
  canvas.height = rows * size * dpr;
  canvas.style.width = `${cols * size}px`;
  canvas.style.height = `${rows * size}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, cols * size, rows * size);
  const gap = size >= 12 ? 1 : 0;
  idx.cells.forEach((c, i) => {
    const x = (i % cols) * size;
    const y = Math.floor(i / cols) * size;
    // each class's share of the cell as a horizontal band, bottom up
    let acc = 0;
    const inner = size - gap;
    for (const s of reward ? [{ colour: rewardColour(c.reward, lo, hi), n: c.sessions }] : shares(c)) {
      const h = (s.n / c.sessions) * inner;
      g.fillStyle = s.colour;
      g.fillRect(x, y + inner - acc - h, inner, h);
      acc += h;
    }
    if (c.events > 0) {
      g.strokeStyle = '#000';
      g.lineWidth = 2;
      g.strokeRect(x + 1, y + 1, inner - 2, inner - 2);
    }
    if (c.annotations > 0) {
      g.fillStyle = '#1b2a49';
      g.beginPath();
      g.moveTo(x + inner, y);
      g.lineTo(x + inner - Math.max(3, inner / 3), y);
      g.lineTo(x + inner, y + Math.max(3, inner / 3));
      g.fill();
    }
  });
  if (sel) {
    const [a, b] = sel[0] <= sel[1] ? sel : [sel[1], sel[0]];
    g.fillStyle = 'rgba(30, 90, 200, 0.28)';
    for (let i = a; i <= b; i++) g.fillRect((i % cols) * size, Math.floor(i / cols) * size, size, size);
  }
  if (cursor >= 0 && cursor < idx.cells.length) {
    g.strokeStyle = '#1e5ac8';
    g.lineWidth = 2;
    g.strokeRect((cursor % cols) * size + 1, Math.floor(cursor / cols) * size + 1, size - 2, size - 2);
  }
}

/** The shown range's share of the run's range, as a percentage with enough digits to be non-zero. */
function shownShare(idx: SessionIndex, run: Range): string {
  const share = (idx.to - idx.from + 1) / (run[1] - run[0] + 1);
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 0)} % of the run`;
}

function describe(c: IndexCell): string {
  const head =
    c.from === c.to ? `session ${fmt(c.from)}` : `sessions ${fmt(c.from)}–${fmt(c.to)} (${fmt(c.sessions)})`;
  const parts = [`compliant ${fmt(c.compliant)}`];
  for (const [k, n] of Object.entries(c.categories)) parts.push(`Category ${k} ${fmt(n)}`);
  if (c.unclassified > 0) parts.push(`unclassified ${fmt(c.unclassified)}`);
  return `${head}: ${parts.join(', ')}; mean reward ${fmt(c.reward)}; ${c.events} event(s), ${c.annotations} annotation(s)`;
}

/**
 * Page 3: the session index. One cell per session, or per bin of consecutive sessions on big runs (binned
 * in the engine; each class's share drawn in the cell). Click a session to open it, a bin to zoom into it;
 * drag (or Shift+arrows) to brush a range and review its sessions.
 */
export function SessionIndexPage({ run, query }: { run: string; query: URLSearchParams }) {
  const from = query.has('from') ? Number(query.get('from')) : undefined;
  const to = query.has('to') ? Number(query.get('to')) : undefined;
  const selParam = /^(\d+)-(\d+)$/.exec(query.get('sel') ?? '');
  const state = useLoad(`index:${run}:${from}:${to}`, () =>
    api<SessionIndex>(`runs/${seg(run)}/index`, { from, to, cells: MAX_CELLS }),
  );
  const canvas = useRef<HTMLCanvasElement>(null);
  const [sel, setSel] = useState<[number, number] | null>(null);
  const [cursor, setCursor] = useState(0);
  const [hover, setHover] = useState<IndexCell | null>(null);
  const drag = useRef<number | null>(null);
  const wheel = useRef<{ sum: number; sideways: boolean; anchor: number; timer: number | null }>({
    sum: 0,
    sideways: false,
    anchor: 0,
    timer: null,
  });
  const idx = state.data;

  // the brush in the URL (sessions) back to cells
  useEffect(() => {
    if (!idx || !selParam) return;
    const a = idx.cells.findIndex((c) => c.to >= Number(selParam[1]));
    const b = idx.cells.findIndex((c) => c.to >= Number(selParam[2]));
    if (a >= 0) setSel([a, b >= 0 ? b : idx.cells.length - 1]);
  }, [idx, query.get('sel')]);

  useEffect(() => {
    if (idx && canvas.current) draw(canvas.current, idx, sel, cursor);
  }, [idx, sel, cursor]);

  if (!idx) return <Status state={state}>{() => null}</Status>;
  const { size, cols } = layout(idx.cells.length);
  const cellAt = (e: MouseEvent): number => {
    const r = canvas.current!.getBoundingClientRect();
    const i = Math.floor((e.clientY - r.top) / size) * cols + Math.floor((e.clientX - r.left) / size);
    return Math.max(0, Math.min(idx.cells.length - 1, i));
  };
  const open = (i: number) => {
    const c = idx.cells[i];
    if (!c) return;
    if (c.sessions === 1 || c.from === c.to) navigate(href(['run', run, 'session', c.from]));
    else navigate(href(['run', run, 'index'], { from: c.from, to: c.to }));
  };
  const brush = (a: number, b: number) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    navigate(href(['run', run, 'index'], { from, to, sel: `${idx.cells[lo]!.from}-${idx.cells[hi]!.to}` }));
  };
  const selRange = sel ? (sel[0] <= sel[1] ? sel : ([sel[1], sel[0]] as [number, number])) : null;
  const run_: Range | null = idx.runFrom !== null && idx.runTo !== null ? [idx.runFrom, idx.runTo] : null;
  /** Shows [a, b] (the whole run drops the range from the URL, so that link stays short). */
  const show = ([a, b]: Range) => {
    if (!run_) return;
    const whole = a <= run_[0] && b >= run_[1];
    const next = whole ? href(['run', run, 'index']) : href(['run', run, 'index'], { from: a, to: b });
    navigate(next);
  };
  const centre = (c: IndexCell | undefined) => (c ? (c.from + c.to) / 2 : (idx.from + idx.to) / 2);
  const zoom = (factor: number, anchor: number) => {
    if (run_) show(zoomRange([idx.from, idx.to], anchor, factor, run_));
  };
  const pan = (fraction: number) => {
    if (run_) show(panRange([idx.from, idx.to], fraction * (idx.to - idx.from + 1), run_));
  };
  const onKey = (e: KeyboardEvent) => {
    const n = idx.cells.length;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols };
    const d = moves[e.key];
    if (d !== undefined) {
      e.preventDefault();
      const next = Math.max(0, Math.min(n - 1, cursor + d));
      if (e.shiftKey) setSel([sel ? sel[0] : cursor, next]);
      else setSel(null);
      setCursor(next);
      setHover(idx.cells[next] ?? null);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (sel && sel[0] !== sel[1]) brush(sel[0], sel[1]);
      else open(cursor);
    } else if (e.key === '+' || e.key === '=') {
      e.preventDefault();
      zoom(0.5, centre(idx.cells[cursor]));
    } else if (e.key === '-' || e.key === '_') {
      e.preventDefault();
      zoom(2, centre(idx.cells[cursor]));
    } else if (e.key === '[' || e.key === 'PageUp') {
      e.preventDefault();
      pan(-0.5);
    } else if (e.key === ']' || e.key === 'PageDown') {
      e.preventDefault();
      pan(0.5);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (sel) {
        setSel(null);
        navigate(href(['run', run, 'index'], { from, to }));
      } else if (from !== undefined || to !== undefined) navigate(href(['run', run, 'index']));
    }
  };
  return (
    <>
      <Section title="Session index">
        <p class="muted" data-testid="index-caption">
          {fmt(idx.sessions)} sessions {fmt(idx.from)}–{fmt(idx.to)}
          {idx.binWidth > 1
            ? `, binned by ${fmt(idx.binWidth)} session numbers per cell (each class's share drawn in the cell)`
            : ', one cell per session'}
          . Click a cell to open it ({idx.binWidth > 1 ? 'a bin zooms in' : 'its detail'}), drag to review a
          range, wheel or pinch to zoom, Shift+wheel to pan; keys: arrows, Shift+arrows to brush, Enter, + and
          − to zoom, [ and ] to pan, Esc for the whole run.
          {from !== undefined || to !== undefined ? (
            <>
              {' '}
              <a href={href(['run', run, 'index'])}>whole run</a>
            </>
          ) : null}
        </p>
        <p class="zoombar" data-testid="zoom-controls">
          <button type="button" onClick={() => zoom(0.5, centre(idx.cells[cursor]))} title="zoom in (+)">
            zoom in
          </button>{' '}
          <button type="button" onClick={() => zoom(2, centre(idx.cells[cursor]))} title="zoom out (−)">
            zoom out
          </button>{' '}
          <button type="button" onClick={() => pan(-0.5)} title="pan to earlier sessions ([)">
            ← earlier
          </button>{' '}
          <button type="button" onClick={() => pan(0.5)} title="pan to later sessions (])">
            later →
          </button>{' '}
          {run_ ? (
            <span class="muted" data-testid="zoom-extent">
              showing {fmt(idx.from)}–{fmt(idx.to)} of {fmt(run_[0])}–{fmt(run_[1])} ({shownShare(idx, run_)})
            </span>
          ) : null}
        </p>
        <div class="legend">
          {byReward(idx) ? (
            <span class="legend-item" data-testid="reward-legend">
              no classification in this run: coloured by mean reward,{' '}
              <span class="swatch" style={{ background: rewardColour(0, 0, 1) }} /> {fmt(rewardRange(idx)[0])}{' '}
              → <span class="swatch" style={{ background: rewardColour(1, 0, 1) }} />{' '}
              {fmt(rewardRange(idx)[1])}
            </span>
          ) : (
            <>
              <span class="legend-item">
                <span class="swatch" style={{ background: COMPLIANT }} />
                compliant
              </span>
              {['2', '3', '4', '5'].map((c) => (
                <span key={c} class="legend-item">
                  <span class="swatch" style={{ background: categoryColour(c) }} />
                  Category {c}
                </span>
              ))}
              <span class="legend-item">
                <span class="swatch" style={{ background: UNCLASSIFIED }} />
                unclassified
              </span>
            </>
          )}
          <span class="legend-item">
            <span class="swatch outline" />
            calibration event
          </span>
          <span class="legend-item">
            <span class="swatch corner" />
            annotated
          </span>
        </div>
        <canvas
          ref={canvas}
          class="session-index"
          tabIndex={0}
          aria-label="session index: arrows move, Shift+arrows brush, Enter opens"
          data-testid="session-index"
          data-cols={cols}
          data-cell={size}
          data-cells={idx.cells.length}
          data-bin={idx.binWidth}
          onMouseDown={(e) => {
            const i = cellAt(e);
            drag.current = i;
            setCursor(i);
            setSel([i, i]);
          }}
          onMouseMove={(e) => {
            const i = cellAt(e);
            setHover(idx.cells[i] ?? null);
            if (drag.current !== null && e.buttons === 1) setSel([drag.current, i]);
          }}
          onMouseUp={(e) => {
            const a = drag.current;
            drag.current = null;
            if (a === null) return;
            const b = cellAt(e);
            if (a === b) {
              setSel(null);
              open(a);
            } else brush(a, b);
          }}
          onKeyDown={onKey}
          onWheel={(e) => {
            // wheel (and a trackpad's pinch, which arrives as a wheel with ctrlKey) zooms around the cell
            // under the pointer; Shift+wheel or a sideways swipe pans. One step per burst of wheel events.
            e.preventDefault();
            const sideways = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
            const delta = sideways ? (e.deltaX !== 0 ? e.deltaX : e.deltaY) : e.deltaY;
            wheel.current.sum += delta;
            wheel.current.sideways = sideways;
            wheel.current.anchor = centre(idx.cells[cellAt(e)]);
            if (wheel.current.timer === null) {
              wheel.current.timer = window.setTimeout(() => {
                const w = wheel.current;
                w.timer = null;
                const sum = w.sum;
                w.sum = 0;
                if (sum === 0) return;
                if (w.sideways) pan(Math.max(-1, Math.min(1, sum / 400)));
                else zoom(Math.min(8, Math.max(1 / 8, 2 ** (sum / 200))), w.anchor);
              }, 120);
            }
          }}
        />
        <p class="hover" data-testid="index-hover">
          {hover ? describe(hover) : ' '}
        </p>
      </Section>
      {selRange && selParam ? (
        <ClusterReview run={run} from={Number(selParam[1])} to={Number(selParam[2])} />
      ) : null}
    </>
  );
}
