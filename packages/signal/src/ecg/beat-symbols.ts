/**
 * Annotation symbols that denote beats, per ANSI/AAMI EC57 and WFDB's `isqrs` (bxb counts only
 * these): N L R B A a J S V r F e j n E / f Q ?.
 */
export const BEAT_SYMBOLS: ReadonlySet<string> = new Set([
  'N',
  'L',
  'R',
  'B',
  'A',
  'a',
  'J',
  'S',
  'V',
  'r',
  'F',
  'e',
  'j',
  'n',
  'E',
  '/',
  'f',
  'Q',
  '?',
]);

/** True when `symbol` is a beat annotation (EC57 beat list); rhythm, noise, notes are not. */
export function isBeatSymbol(symbol: string): boolean {
  return BEAT_SYMBOLS.has(symbol);
}
