/**
 * English function words (articles, pronouns, prepositions, conjunctions, auxiliaries, and the commonest
 * adverbs and determiners): words a phrase needs around it but that say nothing on their own. A phrase made
 * only of them ("into", "across the", "it is") is grammar, not a behaviour a reviewer can act on. The list is
 * the classic closed-class word list (as in the stop-word lists of NLTK and of Lucene's English analyser),
 * lower-case, as `tokenize` gives tokens.
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  `a about above across after again against all almost along also although am among an and another any
  anyone anything are around as at be because been before being below beneath beside besides between beyond
  both but by can cannot could did do does doing done down during each either else enough etc even ever every
  for from further had has have having he her here hers herself him himself his how however i if in inside
  into is it its itself just least less let like may me might mine more most much must my myself near neither
  no nor not now of off often on once one only onto or other others otherwise our ours ourselves out outside
  over own per rather same shall she should since so some such than that the their theirs them themselves
  then there therefore these they this those though through throughout thus to together too toward towards
  under unless until up upon us very via was we well were what whatever when whenever where whereas wherever
  whether which while who whoever whom whose why will with within without would yet you your yours yourself
  yourselves s t d ll m re ve don doesn didn isn aren wasn weren won wouldn shouldn couldn`
    .split(/\s+/)
    .filter((w) => w !== ''),
);

/**
 * Whether an n-gram (tokens joined by single spaces) names content: at least one of its tokens is a word
 * that is not a function word and has a letter in it (a number or a punctuation token is not content either).
 *
 * @example
 * hasContentWord('absolutely') // true
 * hasContentWord('into the')   // false
 * hasContentWord('step 3')     // true ("step")
 */
export function hasContentWord(ngram: string): boolean {
  return ngram.split(' ').some((t) => !FUNCTION_WORDS.has(t) && /\p{L}/u.test(t));
}
