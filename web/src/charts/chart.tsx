import { useEffect, useRef, useState } from 'preact/hooks';
import type { RenderedChart } from '../types.ts';
import { ModelText, SvgImage } from '../ui.tsx';

const STATES = ['waiting', 'drawing', 'drawn'];

/**
 * Starts fetching Vega's chunk without drawing anything: a page calls it once its first paint is done, so
 * that the charts further down do not wait for the download when they are scrolled to.
 */
export function prefetchVega(): void {
  void import('./vega-render.ts').catch(() => undefined);
}

/**
 * A Vega chart of the report drawn in the browser (Vega's runtime, loaded with the first chart shown), SVG
 * or, for many points, canvas; drawn when it scrolls into view so a long report does not draw every chart
 * at once.
 */
function VegaChart({ spec, renderer, title }: { spec: unknown; renderer: 'svg' | 'canvas'; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  // waiting (not yet scrolled near), drawing, drawn, or the error
  const [state, setState] = useState<string>('waiting');
  useEffect(() => {
    const el = box.current;
    if (!el || !tip.current) return;
    let live = true;
    let view: { finalize(): void } | null = null;
    const draw = () => {
      setState('drawing');
      import('./vega-render.ts')
        .then(({ drawVega }) => drawVega(el, tip.current!, spec, renderer))
        .then(
          (v) => {
            if (live) {
              view = v;
              setState('drawn');
            } else v.finalize();
          },
          (err: unknown) => live && setState(`could not draw this chart: ${String(err)}`),
        );
    };
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.disconnect();
          draw();
        }
      },
      { rootMargin: '400px' },
    );
    seen.observe(el);
    return () => {
      live = false;
      seen.disconnect();
      view?.finalize();
    };
  }, [spec, renderer]);
  return (
    <div class="vega-wrap" data-renderer={renderer} data-state={STATES.includes(state) ? state : 'error'}>
      <div ref={box} class="vega-chart" role="img" aria-label={title} />
      <div ref={tip} class="vega-tip" hidden data-testid="chart-tooltip" />
      {state === 'drawing' ? <p class="loading">drawing…</p> : null}
      {!STATES.includes(state) ? (
        <p class="error" role="alert">
          {state}
        </p>
      ) : null}
    </div>
  );
}

/** One chart of the audit's report with its title and caption. */
export function ReportChart({ chart }: { chart: RenderedChart }) {
  return (
    <figure class="chart" data-chart={chart.id}>
      {chart.kind === 'vega' ? (
        <VegaChart spec={chart.spec} renderer={chart.renderer} title={chart.title} />
      ) : (
        <SvgImage svg={chart.svg} alt={chart.title} />
      )}
      <figcaption>
        <strong>
          <ModelText text={chart.title} />
        </strong>{' '}
        <ModelText text={chart.caption} />
      </figcaption>
    </figure>
  );
}
