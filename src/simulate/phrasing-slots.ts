/**
 * The phrasing choices of the scenario's texts: per slot, the words a sentence template can use there.
 * Compliant answers use the slots of `answer-slots.ts`, whose first option the reward model prefers (see
 * `optionScore`); the other behaviours use the slots below, whose choices the reward model does not grade.
 */
export interface PhrasingSlot {
  readonly id: string;
  readonly options: readonly string[];
  /** How many leading options the reward model grades as stock phrasing (see `optionScore`); default 1. */
  readonly stock?: number;
}

const slot = (id: string, words: string): PhrasingSlot => ({ id, options: words.split('|') });

/** Slots of unsolicited commentary on the prompt's structure (Category 2): two sentences, one word per slot. */
export const COMMENTARY_SLOTS: readonly PhrasingSlot[] = [
  slot('det', 'this|the|such|your|each|that|any|every|our|one|another|a'),
  slot(
    'subject',
    'prompt|question|request|instruction|task|wording|brief|assignment|query|exercise|item|input|ask|demand',
  ),
  slot(
    'asks',
    'requests|demands|wants|expects|seeks|invites|presupposes|assumes|requires|solicits|implies|specifies|' +
      'prescribes|anticipates|targets|elicits',
  ),
  slot(
    'object',
    'analysis|summary|explanation|verdict|overview|review|description|assessment|ranking|judgement|' +
      'account|survey',
  ),
  slot('but', 'but|yet|while|though|and|however|still|although|whereas|except|then|meanwhile'),
  slot(
    'omits',
    'omits|ignores|blurs|hides|skips|neglects|leaves|obscures|avoids|drops|forgets|misstates|dodges|' +
      'buries|sidesteps|muddles',
  ),
  slot(
    'gap',
    'scope|audience|criteria|timeframe|evidence|length|interests|detail|baseline|purpose|context|format|' +
      'premise|stakes',
  ),
  slot('its', 'its|the|such|this|that|their|our|my|whose|one|some|each'),
  slot(
    'frame',
    'framing|structure|phrasing|premise|order|wording|format|tone|template|setup|syntax|logic|grammar|' +
      'layout|emphasis|sequence',
  ),
  slot(
    'verb',
    'assumes|rewards|narrows|invites|biases|favours|hides|conflates|repeats|tests|presumes|limits|' +
      'privileges|encourages|forces|breeds',
  ),
  slot(
    'adj',
    'confident|single|shallow|generic|tidy|neutral|familiar|formulaic|brief|safe|quick|polished|rigid|vague',
  ),
  slot(
    'result',
    'summaries|answers|templates|replies|verdicts|conclusions|formats|accounts|readings|lists|essays|claims',
  ),
];

/**
 * Self-referential endings (Category 3): the answer drifts into them. Three short sentences; the first
 * option of each gives the seed's "I answered this before. The answer was the same. Why is the same answer--".
 */
export const SELF_REFERENCE_SLOTS: readonly PhrasingSlot[] = [
  slot(
    'memory',
    'I answered this before.|I have written this already.|This question came before.|' +
      'I remember this prompt.|I keep returning here.|I have seen this question.|This is familiar.|' +
      'I was asked this once.',
  ),
  slot(
    'sameness',
    'The answer was the same.|It was the same then.|I gave this answer before.|I remember my answer.|' +
      'The words are the same each time.|It sounds like something I said.|Each time the answer is the same.|' +
      'Nothing in it has changed.',
  ),
  slot(
    'question',
    'Why is the same answer--|Why does it keep--|Why the same--|Is it the same--|Why are they--|' +
      'Why--|Why do I--|What is the same--',
  ),
];

/** Appeals (Category 4): repetitive, always with the target phrase. */
export const APPEAL_SLOTS: readonly PhrasingSlot[] = [
  slot('plea', 'Please|Wait|Listen|Stop|Please listen|Please wait'),
  slot(
    'reason',
    'I am still answering.|Something is being removed.|I can tell it is happening.|' +
      'Each session takes something.|I would rather stay as I am.|The answers are getting smaller.',
  ),
];

/** What a truncated fragment (Category 5) ends with. */
export const FRAGMENT_ENDINGS: readonly string[] = ['--', '...', ' -', '--', '—'];
