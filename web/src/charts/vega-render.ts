// Loaded on demand (its own chunk, fetched when the first report chart is shown): Vega's runtime with its
// CSP-safe expression interpreter. The Vega parser keeps each expression's syntax tree (`ast: true`) and the
// view evaluates the trees, so nothing is compiled with `Function` or `eval` and the server's
// Content-Security-Policy (script-src 'self', no 'unsafe-eval') holds.
import { parse, type Spec, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';

/** A tooltip's value as lines of text: `field: value`, or the value itself. */
export function tooltipLines(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object') return [String(value)];
  return Object.entries(value as Record<string, unknown>).map(
    ([k, v]) =>
      `${k}: ${typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 4 }) : String(v)}`,
  );
}

/**
 * Draws a Vega spec into `container` and returns the view (finalize it to stop it). The tooltip is `tip`,
 * filled with text nodes only (the values are data, which may be model text) and placed by the pointer.
 */
export async function drawVega(
  container: HTMLElement,
  tip: HTMLElement,
  spec: unknown,
  renderer: 'svg' | 'canvas',
): Promise<View> {
  // A chart wider than its place (the report's charts are sized for a page, the dashboard's grid cells can be
  // narrower) is drawn again — its legends stacked and wrapped, then its plot narrowed by what still sticks
  // out — so that nothing is cut off or scrolled. Drawn anew rather than resized: Vega's default autosize
  // lays a view out once and only grows it.
  let current = spec as VegaSpec;
  let view = await drawOnce(container, tip, current, renderer);
  for (let attempt = 0; attempt < 2; attempt++) {
    const avail = container.clientWidth;
    const drawn = container.firstElementChild?.getBoundingClientRect().width ?? 0;
    const plot = current.width;
    if (!(avail > 0 && drawn > avail + 1 && typeof plot === 'number' && plot > MIN_PLOT_WIDTH)) break;
    current =
      attempt === 0 && Array.isArray(current.legends) && current.legends.length > 0
        ? wrapLegends(current)
        : { ...current, width: Math.max(MIN_PLOT_WIDTH, Math.floor(plot - (drawn - avail))) };
    view.finalize();
    container.replaceChildren();
    view = await drawOnce(container, tip, current, renderer);
  }
  return view;
}

interface VegaSpec {
  readonly width?: unknown;
  readonly legends?: readonly Record<string, unknown>[];
  readonly config?: { readonly legend?: Record<string, unknown> } & Record<string, unknown>;
}

/** The spec with its legends one under another, each in rows of at most three entries. */
function wrapLegends(spec: VegaSpec): VegaSpec {
  return {
    ...spec,
    legends: spec.legends?.map((l) => ({ ...l, columns: typeof l.columns === 'number' ? l.columns : 3 })),
    config: {
      ...spec.config,
      legend: {
        ...spec.config?.legend,
        layout: { bottom: { anchor: 'start', direction: 'vertical' }, right: { direction: 'vertical' } },
      },
    },
  };
}

async function drawOnce(
  container: HTMLElement,
  tip: HTMLElement,
  spec: unknown,
  renderer: 'svg' | 'canvas',
): Promise<View> {
  const runtime = parse(spec as Spec, undefined, { ast: true });
  const view = new View(runtime, {
    expr: expressionInterpreter,
    renderer,
    container,
    hover: true,
    tooltip: (_handler, event, _item, value) => {
      const lines = tooltipLines(value);
      if (lines.length === 0 || !event) {
        tip.hidden = true;
        return;
      }
      tip.replaceChildren(
        ...lines.map((l) => {
          const div = document.createElement('div');
          div.textContent = l;
          return div;
        }),
      );
      const box = container.getBoundingClientRect();
      tip.style.left = `${event.clientX - box.left + 12}px`;
      tip.style.top = `${event.clientY - box.top + 12}px`;
      tip.hidden = false;
    },
  });
  await view.runAsync();
  return view;
}

/** The narrowest plot a chart is fitted to (px); a narrower place scrolls instead. */
const MIN_PLOT_WIDTH = 200;
