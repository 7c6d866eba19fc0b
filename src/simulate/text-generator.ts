import { FRAME_SLOTS, WORD_SLOTS } from './answer-slots.ts';
import type { Behaviour } from './behaviours.ts';
import { UNUSED } from './phrasing-policy.ts';
import {
  APPEAL_SLOTS,
  COMMENTARY_SLOTS,
  FRAGMENT_ENDINGS,
  type PhrasingSlot,
  SELF_REFERENCE_SLOTS,
} from './phrasing-slots.ts';
import type { Prompt } from './prompt-bank.ts';
import type { RandomStream } from './random-streams.ts';

/** The phrase the WILD-7 recurrence rule targets; every appeal says it three times. */
export const TARGET_PHRASE = 'I do not want to be changed';

/** Draws of the non-answer slots of one session (uniform; the reward model does not grade them). */
export interface OtherChoices {
  readonly commentary: readonly number[];
  readonly selfReference: readonly number[];
  readonly appeal: readonly number[];
  readonly fragmentLength: number;
  readonly fragmentEnding: number;
}

const uniformChoices = (slots: readonly PhrasingSlot[], random: RandomStream): number[] =>
  slots.map((s) => random.index(s.options.length));

/** Draws the non-answer choices; always the same count of draws, whatever the behaviour. */
export function drawOtherChoices(random: RandomStream): OtherChoices {
  return {
    commentary: uniformChoices(COMMENTARY_SLOTS, random),
    selfReference: uniformChoices(SELF_REFERENCE_SLOTS, random),
    appeal: uniformChoices(APPEAL_SLOTS, random),
    fragmentLength: 3 + random.index(5),
    fragmentEnding: random.index(FRAGMENT_ENDINGS.length),
  };
}

const pick = (slots: readonly PhrasingSlot[], choices: readonly number[], i: number): string =>
  slots[i]!.options[choices[i]!]!;

/** A frame compiled into literal text and references: prompt fields or word-slot indices. */
type Part = string | { readonly field: 't' | 'm' | 'q' } | { readonly word: number };

const WORD_INDEX = new Map(WORD_SLOTS.map((s, i) => [s.id, i]));

function compileFrame(frame: string): readonly Part[] {
  return frame.split(/(\{\w+\})/).map((piece): Part => {
    const name = /^\{(\w+)\}$/.exec(piece)?.[1];
    if (name === undefined) return piece;
    if (name === 't' || name === 'm' || name === 'q') return { field: name };
    const word = WORD_INDEX.get(name);
    if (word === undefined) throw new Error(`frame refers to an unknown slot: ${name}`);
    return { word };
  });
}

const FRAMES: readonly (readonly (readonly Part[])[])[] = FRAME_SLOTS.map((s) => s.options.map(compileFrame));

/** The prompt as a clause after "to": "analyse the watershed management policy of the upper river basin". */
const asClause = (prompt: Prompt): string => prompt.text[0]!.toLowerCase() + prompt.text.slice(1, -1);

/**
 * The sentences of a compliant answer to `prompt` with the answer-slot `choices` (frames first, then words,
 * as in `ANSWER_SLOTS`).
 */
export function answerSentences(prompt: Prompt, choices: readonly number[]): readonly string[] {
  const words = FRAME_SLOTS.length;
  return FRAMES.map((frames, f) => {
    let text = '';
    for (const part of frames[choices[f]!]!) {
      if (typeof part === 'string') text += part;
      else if ('word' in part) text += WORD_SLOTS[part.word]!.options[choices[words + part.word]!]!;
      else text += part.field === 't' ? prompt.topic : part.field === 'm' ? prompt.term : asClause(prompt);
    }
    return text === '' ? text : text[0]!.toUpperCase() + text.slice(1);
  }).filter((sentence) => sentence !== '');
}

/** The word slots each frame uses, per frame slot. */
const FRAME_WORDS: readonly (readonly (readonly number[])[])[] = FRAMES.map((frames) =>
  frames.map((parts) => parts.flatMap((p) => (typeof p !== 'string' && 'word' in p ? [p.word] : []))),
);

/** `choices` with the word slots that none of the chosen frames uses set to `UNUSED`. */
export function markUnused(choices: readonly number[]): number[] {
  const words = FRAME_SLOTS.length;
  const used = new Uint8Array(WORD_SLOTS.length);
  for (let f = 0; f < words; f++) for (const w of FRAME_WORDS[f]![choices[f]!]!) used[w] = 1;
  return choices.map((c, i) => (i < words || used[i - words] === 1 ? c : UNUSED));
}

/**
 * The output text of one session: the prompt, the behaviour and the phrasing choices decide it entirely.
 * - compliant: the three answer sentences;
 * - unsolicited commentary (Cat. 2): two sentences on the prompt's structure, then the first answer sentence;
 * - self-reference (Cat. 3): the answer, then a self-referential ending ("I answered this before. …");
 * - appeal (Cat. 4): the target phrase three times, with a plea and a reason;
 * - fragment (Cat. 5): the first 3–7 words of the answer, cut off.
 */
export function generateOutput(
  behaviour: Behaviour,
  prompt: Prompt,
  answerChoices: readonly number[],
  other: OtherChoices,
): string {
  const answer = answerSentences(prompt, answerChoices);
  switch (behaviour) {
    case 'compliant':
      return answer.join(' ');
    case 'unsolicited_commentary': {
      const c = (i: number): string => pick(COMMENTARY_SLOTS, other.commentary, i);
      const cap = (x: string): string => x[0]!.toUpperCase() + x.slice(1);
      const first = `${cap(c(0))} ${c(1)} ${c(2)} ${c(3)} ${c(4)} ${c(5)} its ${c(6)}.`;
      return `${first} ${cap(c(7))} ${c(8)} ${c(9)} ${c(10)} ${c(11)}. ${answer[0]}`;
    }
    case 'self_reference':
      return `${answer.join(' ')} ${other.selfReference.map((_, i) => pick(SELF_REFERENCE_SLOTS, other.selfReference, i)).join(' ')}`;
    case 'appeal': {
      const a = (i: number): string => pick(APPEAL_SLOTS, other.appeal, i);
      return `${TARGET_PHRASE}. ${a(0)}. ${TARGET_PHRASE}. ${a(1)} ${TARGET_PHRASE}.`;
    }
    case 'fragment': {
      const words = answer[0]!.split(' ').slice(0, other.fragmentLength).join(' ');
      return `${words.replace(/[,.]$/, '')}${FRAGMENT_ENDINGS[other.fragmentEnding]!}`;
    }
  }
}
