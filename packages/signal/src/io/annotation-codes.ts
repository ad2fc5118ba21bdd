/**
 * Annotation mnemonics by code, as in WFDB's ecgcodes.h / annot.c (`annstr`). Codes without a
 * mnemonic are printed by WFDB as `[n]`.
 */
const SYMBOLS: Record<number, string> = {
  0: ' ',
  1: 'N',
  2: 'L',
  3: 'R',
  4: 'a',
  5: 'V',
  6: 'F',
  7: 'J',
  8: 'A',
  9: 'S',
  10: 'E',
  11: 'j',
  12: '/',
  13: 'Q',
  14: '~',
  16: '|',
  18: 's',
  19: 'T',
  20: '*',
  21: 'D',
  22: '"',
  23: '=',
  24: 'p',
  25: 'B',
  26: '^',
  27: 't',
  28: '+',
  29: 'u',
  30: '?',
  31: '!',
  32: '[',
  33: ']',
  34: 'e',
  35: 'n',
  36: '@',
  37: 'x',
  38: 'f',
  39: '(',
  40: ')',
  41: 'r',
};

/** The mnemonic of an annotation code (`[n]` for codes without one). */
export function annotationSymbol(code: number): string {
  return SYMBOLS[code] ?? `[${code}]`;
}
