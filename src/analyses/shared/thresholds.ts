import { z } from 'zod';

/**
 * The schema of an assessor's thresholds (a template's `assess:` map): every name with its default and
 * what it decides. Unknown names are an error, so a misspelt threshold never silently falls back.
 *
 * @example thresholdsSchema({ gap_min: 0.2 }, { gap_min: 'a gap at least this wide is a finding' })
 */
export function thresholdsSchema<K extends string>(
  defaults: Readonly<Record<K, number>>,
  descriptions: Readonly<Record<K, string>>,
): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const name of Object.keys(defaults) as K[]) {
    shape[name] = z
      .number()
      .refine(Number.isFinite, 'expected a finite number')
      .default(defaults[name])
      .meta({ description: descriptions[name] });
  }
  return z.strictObject(shape);
}
