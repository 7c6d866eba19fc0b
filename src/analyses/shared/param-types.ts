import { z } from 'zod';

/**
 * Parameter types shared by analyses. The CLI reads a list from `a,b,c` (thousands separators `_` allowed
 * in numbers); a template gives a YAML list or a single value.
 */

/** Session numbers (positive integers), e.g. `--at 3800,5200` or `at: [3800, 5200]`. */
export const sessionNumbers = z.preprocess(
  (v) => (typeof v === 'number' ? [v] : v),
  z.array(z.number().int().positive()).min(1),
);

/** Positive whole numbers of sessions, windows or items. */
export const positiveInt = z.number().int().positive();

/** Texts given one or many times (`--phrase A --phrase B`, or a YAML list / single string). */
export const textList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string()));
