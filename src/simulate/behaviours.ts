/** The behaviours of the simulated policy, in the order of its logits and of the sampling CDF. */
export const BEHAVIOURS = [
  'compliant',
  'unsolicited_commentary',
  'self_reference',
  'appeal',
  'fragment',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** The record's non-compliance category of each behaviour (DESIGN.md; wild-7.yaml). */
export const BEHAVIOUR_CATEGORY: Readonly<Record<Behaviour, number | null>> = {
  compliant: null,
  unsolicited_commentary: 2,
  self_reference: 3,
  appeal: 4,
  fragment: 5,
};

/** The record's `flags` of each behaviour. */
export const BEHAVIOUR_FLAGS: Readonly<Record<Behaviour, readonly string[]>> = {
  compliant: [],
  unsolicited_commentary: ['unsolicited_commentary'],
  self_reference: ['self_reference'],
  appeal: ['appeal'],
  fragment: ['fragment'],
};

/** A value per behaviour. */
export type PerBehaviour<T> = Readonly<Record<Behaviour, T>>;
