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
