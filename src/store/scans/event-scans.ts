/** PLACEHOLDER (to be defined by the event analyses): the store scans behind them. */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the analyses that need it
export interface EventScans {}
