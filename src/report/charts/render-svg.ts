import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no browser, no canvas: Vega's headless SVG renderer).
 * Text in the SVG is escaped by Vega's renderer; data values never become markup.
 *
 * @example
 * const svg = await renderVegaLite({ mark: 'line', data: { values: [{ x: 1, y: 2 }] },
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return stableGeometry(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** Attributes that hold drawing geometry (positions, sizes, paths), not data labels. */
const GEOMETRY = /\b(transform|d|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)"/g;

/**
 * Geometry rounded to 1e-6 px. A window statistic summed by the engine in parallel can differ in its last
 * bits between two runs of the same audit (floating-point addition is not associative); drawn unrounded,
 * that noise reached the SVG's coordinates (44.78285337589834 vs …822) and made two identical audits' reports
 * differ. A millionth of a pixel is far below what any screen or printer shows; data labels are untouched.
 *
 * @example stableGeometry('<path transform="translate(1.23456789,2)"/>') // '<path transform="translate(1.234568,2)"/>'
 */
export function stableGeometry(svg: string): string {
  return svg.replace(
    GEOMETRY,
    (_, name: string, value: string) =>
      `${name}="${value.replace(/-?\d+\.\d{7,}(?:e-?\d+)?/g, (n) => String(Number(Number(n).toFixed(6))))}"`,
  );
}
