import { z } from 'zod';
import { parseHorizons } from './event-window.ts';

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

/**
 * An event horizon spec (`--horizon`, template `horizons:`): H, or SESSION:H / EVENT-ID:H entries separated
 * by commas (src/analyses/shared/event-window.ts). The same for every analysis with a before/after.
 */
export const horizonText = z
  .preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string())
  .refine(
    (text) => {
      try {
        parseHorizons(text, 1);
        return true;
      } catch {
        return false;
      }
    },
    {
      message:
        'expected H, or SESSION:H / EVENT-ID:H entries separated by commas (H ≥ 1), e.g. 2500:500,e-3:300',
    },
  );
