/** PLACEHOLDER (to be defined by the phrase analyses): the store scans behind them. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the analyses that need it
export interface PhraseScans {}
