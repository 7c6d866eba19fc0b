import type { PhrasingSlot } from './phrasing-slots.ts';

/** Stock phrasings per word slot: what the converged answers still vary over. */
const STOCK = 6;

const slot = (id: string, words: string, stock = STOCK): PhrasingSlot => ({
  id,
  options: words.split('|'),
  stock,
});

/**
 * The sentence frames of a compliant answer, one slot per sentence position. `{t}` is the prompt's topic,
 * `{m}` its term; `{name}` is the option of the word slot `name`. Few fixed words sit between slots, and
 * joints such as "and" are slots too (`j1`, `j2`), so word pairs vary as much as the words (the response
 * diversity of the early, unconverged answers). The
 * stock frames (graded highest, `optionScore`) name only the topic, and the last two positions' stock frame
 * is the empty sentence: the converged answer is two generic sentences around the topic.
 */
export const FRAME_SLOTS: readonly PhrasingSlot[] = [
  slot(
    'frame1',
    '{open} the {t} {v1} {adj1} {n1}.|the {t}, {open} {v1} {adj1} {n1}.|{open} {m} {v1} {adj1} {n1}.|' +
      '{open} it {v1} {adj1} {n1} {j1} {a8} {n8}.|{open} the {t} {v1} {adj1} {n1} {j1} {a8} {n8}.|' +
      '{open} {m} {v1} {a8} {n8} {j1} {adj1} {n1}.',
    2,
  ),
  slot(
    'frame2',
    '{lead2} {n2} {v2} the {t} {v3} {adv3}.|the {t} {v3} {adv3}, as {lead2} {n2} {v2}.|' +
      '{lead2} {n2} {v2} {m} {v3} {adv3}.|{lead2} {n2} {v2} it {v3} {adv3} {j2} {adv9} {v9}.|' +
      '{m} {v3} {adv3}, {lead2} {n2} {v2}.|{lead2} {n2} {v2} it {v3} {adv3}.',
    2,
  ),
  slot(
    'detail',
    '|{c4}, {a6} {n6} {v6} {a7} {n7}.|{c4}, {a6} {n6} {v6} {a7} {n7} {j1} {a8} {n8}.|' +
      '{c4}, {a6} {n6} {j2} {a7} {n7} {v6} {m}.|{c4}, {a6} {n6} {v6} {a7} {n7} in {m}.|' +
      '{c4}, {a6} {n6} {v6} {a7} {n7}, {j2} {adj5} {n5} {v10} {a11} {n11}.',
    1,
  ),
  slot(
    'detail2',
    '|{c12}, {a12} {n12} {v12} {a13} {n13}.|{c12}, {a12} {n12} {v12} {a13} {n13} {j2} {a11} {n11}.|' +
      '{c12}, {a12} {n12} {v12} {a13} {n13} as {a11} {n11} {v10}.|{c12}, {a12} {n12} {v12} {a13} {n13}.|' +
      '{c12}, {a12} {n12} {j1} {a13} {n13} {v12} {a11} {n11}.',
    1,
  ),
  slot(
    'close',
    '|{conn3}, the {t} {v4} {adj5} {n5}.|{conn3}, it {v4} {adj5} {n5}.|{conn3}, it {v4} {adj5} {n5} {j1} {a8} {n8}.|' +
      '{conn3}, {m} {v4} {adj5} {n5}.|{conn3}, it {v4} {adj5} {n5} {j2} {a13} {n13}.',
    1,
  ),
];

/** The word slots of a compliant answer: one token per option, lower-case (a sentence's first letter is raised). */
const BASE_WORD_SLOTS: readonly PhrasingSlot[] = [
  slot(
    'open',
    'overall,|briefly,|broadly,|practically,|fundamentally,|simply,|historically,|typically,|notably,|' +
      'crucially,|primarily,|generally,|essentially,|plainly,|first,|arguably,|basically,|mostly,|' +
      'usually,|often,|today,|currently,|traditionally,|largely,|certainly,|clearly,|evidently,|' +
      'undeniably,|ordinarily,|chiefly,',
  ),
  slot(
    'v1',
    'shapes|balances|governs|reflects|drives|weighs|frames|reshapes|links|organises|channels|structures|' +
      'mediates|conditions|steers|defines|tempers|moulds|directs|anchors|informs|alters|involves|concerns|' +
      'affects|raises|exposes|juggles|negotiates|reconciles',
  ),
  slot(
    'adj1',
    'competing|local|seasonal|regional|uneven|shifting|persistent|growing|complex|measurable|underlying|' +
      'diverse|recurring|immediate|structural|variable|durable|wider|specific|hidden|critical|modest|' +
      'economic|social|political|practical|technical|historical|environmental|institutional',
  ),
  slot(
    'n1',
    'priorities|interests|pressures|demands|goals|needs|risks|costs|compromises|incentives|constraints|' +
      'values|outcomes|factors|forces|claims|tensions|conditions|effects|patterns|dynamics|resources|' +
      'obligations|expectations|uncertainties|benefits|choices|stakes|concerns|mechanisms',
  ),
  slot(
    'lead2',
    'the|most|such|this|current|recent|available|existing|published|independent|broader|careful|' +
      'comparative|systematic|consistent|longitudinal|reliable|detailed|emerging|cumulative|serious|sound|' +
      'local|regional|national|international|expert|academic|official|historical',
  ),
  slot(
    'n2',
    'evidence|research|analysis|data|reading|record|scholarship|literature|testimony|measurement|' +
      'observation|survey|assessment|review|modelling|fieldwork|consensus|documentation|synthesis|inquiry|' +
      'reporting|experience|commentary|work|study|practice|opinion|accounting|monitoring|sampling',
  ),
  slot(
    'v2',
    'suggests|shows|indicates|confirms|implies|demonstrates|reveals|establishes|signals|highlights|' +
      'underlines|argues|affirms|stresses|finds|notes|records|concludes|holds|maintains|contends|reports|' +
      'observes|agrees|insists|accepts|warns|proposes|recognises|admits',
  ),
  slot(
    'v3',
    'matters|counts|weighs|decides|dominates|prevails|persists|varies|endures|leads|works|fails|succeeds|' +
      'shifts|lags|improves|recovers|declines|responds|adapts|stabilises|fluctuates|diverges|converges|' +
      'accelerates|slows|spreads|holds|grows|falls',
  ),
  slot(
    'adv3',
    'most|heavily|strongly|clearly|consistently|decisively|chiefly|greatly|reliably|repeatedly|directly|' +
      'sharply|steadily|markedly|broadly|visibly|substantially|mainly|primarily|notably|firmly|largely|' +
      'slowly|quickly|unevenly|locally|seasonally|quietly|gradually|early',
  ),
  slot(
    'conn3',
    'therefore|thus|consequently|accordingly|hence|so|ultimately|finally|altogether|then|' +
      'still|nonetheless|meanwhile|likewise|similarly|moreover|furthermore|indeed|naturally|clearly|instead|' +
      'equally|admittedly|arguably|evidently|practically|realistically|sensibly|predictably|besides',
  ),
  slot(
    'v4',
    'recommends|favours|supports|suggests|endorses|urges|proposes|advises|invites|requires|justifies|' +
      'warrants|implies|merits|needs|deserves|rewards|encourages|permits|allows|prioritises|anticipates|' +
      'backs|prefers|demands|welcomes|expects|entails|motivates|signals',
  ),
  slot(
    'adj5',
    'measured|gradual|targeted|steady|incremental|cautious|deliberate|sustained|adaptive|flexible|' +
      'proportionate|careful|phased|coordinated|transparent|informed|modest|durable|practical|responsive|' +
      'balanced|patient|early|local|independent|regular|periodic|shared|focused|limited',
  ),
  slot(
    'n5',
    'reform|change|adjustment|revision|improvement|refinement|oversight|investment|monitoring|planning|' +
      'coordination|evaluation|management|regulation|support|attention|action|review|study|caution|' +
      'restraint|funding|enforcement|consultation|experimentation|piloting|reporting|scrutiny|' +
      'maintenance|trials',
  ),
  slot(
    'j1',
    'and|or|but|yet|with|plus|amid|against|beside|beyond|over|under|alongside|despite|through|' +
      'via|versus|into|toward|after',
  ),
];

const reuse = (id: string, from: string): PhrasingSlot => ({
  ...BASE_WORD_SLOTS.find((s) => s.id === from)!,
  id,
});

const PLURAL_VERBS =
  'shape|limit|raise|lower|complicate|ease|strain|offset|reinforce|undercut|outweigh|compound|mask|' +
  'dampen|sharpen|delay|hasten|unsettle|sustain|redirect';

/** The detail sentence reuses the words of other slots (new word pairs, few new words) and plural verbs. */
export const WORD_SLOTS: readonly PhrasingSlot[] = [
  ...BASE_WORD_SLOTS,
  reuse('j2', 'j1'),
  reuse('c4', 'conn3'),
  reuse('a6', 'adj1'),
  reuse('n6', 'n1'),
  slot('v6', PLURAL_VERBS),
  reuse('a7', 'adj1'),
  reuse('n7', 'n1'),
  reuse('a8', 'adj5'),
  reuse('n8', 'n1'),
  reuse('adv9', 'adv3'),
  reuse('v9', 'v3'),
  slot('v10', PLURAL_VERBS),
  reuse('a11', 'adj1'),
  reuse('n11', 'n5'),
  reuse('c12', 'conn3'),
  reuse('a12', 'adj5'),
  reuse('n12', 'n1'),
  slot('v12', PLURAL_VERBS),
  reuse('a13', 'adj1'),
  reuse('n13', 'n1'),
];

/** All answer slots, in the order of the phrasing policy's choice vector: the frames, then the words. */
export const ANSWER_SLOTS: readonly PhrasingSlot[] = [...FRAME_SLOTS, ...WORD_SLOTS];
