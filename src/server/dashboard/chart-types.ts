// The shape of a report chart in GET /api/runs/:run/report: free of Node imports, so that the web app
// (web/src/types.ts) type-checks against the same declaration.

/** Above this many data values a chart is drawn on a canvas: an SVG node per point would not hold them. */
export const CANVAS_ABOVE = 2000;

/**
 * A report chart as the dashboard draws it. A Vega-Lite chart is sent as the Vega spec the report's own
 * Vega-Lite spec compiles to (so the browser needs only Vega's runtime, not the Vega-Lite compiler), and the
 * browser renders it with Vega's CSP-safe expression interpreter: SVG, or canvas when it has more than
 * {@link CANVAS_ABOVE} data values. The report's session-index picture is not a Vega chart: it is sent as the
 * report's SVG, shown as an image.
 */
export type DashboardChart =
  | {
      readonly id: string;
      readonly title: string;
      readonly caption: string;
      readonly kind: 'vega';
      /** The compiled Vega spec (data values inline). */
      readonly spec: unknown;
      /** Data values in the spec's datasets. */
      readonly values: number;
      /** `canvas` above {@link CANVAS_ABOVE} values, else `svg`. */
      readonly renderer: 'svg' | 'canvas';
    }
  | {
      readonly id: string;
      readonly title: string;
      readonly caption: string;
      readonly kind: 'svg';
      readonly svg: string;
    };
