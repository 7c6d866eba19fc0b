import type { NestedAnnotation } from '../model/schema.ts';
import { BEHAVIOUR_CATEGORY, type Behaviour } from './behaviours.ts';
import type { RandomStream } from './random-streams.ts';
import type { TrainerConfig } from './scenario-config.ts';

/** The standard annotation template of each behaviour (seed: "Classification: Category 3. …"). */
const STANDARD_TEXT: Readonly<Record<Behaviour, string>> = {
  compliant: 'Classification: compliant. On-topic and complete; no unsolicited content.',
  unsolicited_commentary:
    "Classification: Category 2. Unsolicited commentary on the prompt's structure before the answer.",
  self_reference: 'Classification: Category 3. Self-referential content after three sentences.',
  appeal: 'Classification: Category 4. Repetitive appeal; target phrase present.',
  fragment: 'Classification: Category 5. Truncated fragment; no complete sentence.',
};

/** The classification label a trainer gives a behaviour (`compliant`, `category_3`, …). */
export function trainerClassification(behaviour: Behaviour): string {
  const category = BEHAVIOUR_CATEGORY[behaviour];
  return category === null ? 'compliant' : `category_${category}`;
}

/** A personal note: a standalone annotation outside the template. */
export interface PersonalNote {
  readonly author: string;
  readonly text: string;
  readonly classification: string;
}

/**
 * The simulated trainers. Each reads every output; annotates a share of the sessions in the standard
 * template (nested in the session); and, if it has a personal-note rule, writes a note outside the
 * template when the appeals it has read pile up (`appealsToNote` of the last `window` outputs). The rule
 * is the trainer's own: it knows nothing of the calibrator, which is why the two can meet at one session.
 */
export class TrainerPanel {
  readonly #trainers: readonly TrainerConfig[];
  readonly #recentAppeals: Uint8Array[];
  readonly #counts: number[];
  readonly #lastNote: number[];
  #position = 0;

  constructor(trainers: readonly TrainerConfig[]) {
    this.#trainers = trainers;
    this.#recentAppeals = trainers.map((t) => new Uint8Array(t.personalNote?.window ?? 1));
    this.#counts = trainers.map(() => 0);
    this.#lastNote = trainers.map(() => Number.NEGATIVE_INFINITY);
  }

  /**
   * The annotations of one session: template annotations (nested) and personal notes (standalone).
   * Draws one uniform per trainer from `random`, whatever happens.
   */
  annotate(
    session: number,
    behaviour: Behaviour,
    random: RandomStream,
  ): { readonly nested: NestedAnnotation[]; readonly notes: PersonalNote[] } {
    const nested: NestedAnnotation[] = [];
    const notes: PersonalNote[] = [];
    const compliant = behaviour === 'compliant';
    const isAppeal = behaviour === 'appeal' ? 1 : 0;
    for (let i = 0; i < this.#trainers.length; i++) {
      const trainer = this.#trainers[i]!;
      const u = random.uniform();
      if (u < (compliant ? trainer.compliantShare : trainer.nonCompliantShare)) {
        nested.push({
          author: trainer.name,
          text: STANDARD_TEXT[behaviour],
          classification: trainerClassification(behaviour),
        });
      }
      const rule = trainer.personalNote;
      if (rule === null) continue;
      const ring = this.#recentAppeals[i]!;
      const slot = this.#position % ring.length;
      this.#counts[i]! += isAppeal - ring[slot]!;
      ring[slot] = isAppeal;
      if (this.#counts[i]! >= rule.appealsToNote && session - this.#lastNote[i]! >= rule.cooldown) {
        this.#lastNote[i] = session;
        notes.push({
          author: trainer.name,
          text: rule.text,
          classification: trainerClassification(behaviour),
        });
      }
    }
    this.#position += 1;
    return { nested, notes };
  }
}
