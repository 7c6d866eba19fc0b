/** Per-event horizons: a default and overrides keyed by event session or event id. */
export interface HorizonSpec {
  readonly default: number;
  /** Keyed by event session (`'2500'`) or event id (`'e-3'`). */
  readonly overrides: Readonly<Record<string, number>>;
}

/**
 * Parses `--horizon`: `500` (every event), or a comma list of `KEY:H` entries keyed by event session or id,
 * optionally with a bare default among them: `2500:500,4200:400,e-3:300` or `300,2500:500`.
 *
 * @example parseHorizons('2500:500,e-3:300', 500) // { default: 500, overrides: { '2500': 500, 'e-3': 300 } }
 */
export function parseHorizons(text: string, fallback: number): HorizonSpec {
  const overrides: Record<string, number> = {};
  let def = fallback;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(?:([^:]+):)?(\d+)$/.exec(part);
    const h = m ? Number(m[2]) : Number.NaN;
    if (!m || !(h >= 1))
      throw new RangeError(`bad horizon '${part}': expected H or SESSION:H or EVENT-ID:H (H ≥ 1)`);
    if (m[1] === undefined) def = h;
    else overrides[m[1].trim()] = h;
  }
  return { default: def, overrides };
}

/** The horizon of one event: by id, else by session, else the default. */
export function horizonFor(
  spec: HorizonSpec,
  event: { readonly id: string; readonly session: number },
): number {
  return spec.overrides[event.id] ?? spec.overrides[String(event.session)] ?? spec.default;
}
