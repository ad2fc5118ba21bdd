import { SignalInputError } from '../errors.js';
import type { BeatClass } from './types.js';

/**
 * AAMI EC57 grouping of MIT-BIH beat annotation symbols (de Chazal et al. 2004, table 1):
 * N = N L R e j, SVEB = A a J S, VEB = V E, F = F, Q = / f Q.
 */
const GROUPS: Readonly<Record<string, BeatClass>> = {
  N: 'N',
  L: 'N',
  R: 'N',
  e: 'N',
  j: 'N',
  A: 'SVEB',
  a: 'SVEB',
  J: 'SVEB',
  S: 'SVEB',
  V: 'VEB',
  E: 'VEB',
  F: 'F',
  '/': 'Q',
  f: 'Q',
  Q: 'Q',
};

/**
 * Maps an MIT-BIH beat annotation symbol to its AAMI class.
 *
 * @param symbol annotation mnemonic, e.g. `V`
 * @returns the AAMI class, or null for non-beat annotations (rhythm changes, noise, `?`, `B`, `r`, `n`)
 */
export function aamiClass(symbol: string): BeatClass | null {
  if (typeof symbol !== 'string') {
    throw new SignalInputError('INVALID_ARGUMENT', 'symbol', 'symbol must be a string');
  }
  return Object.hasOwn(GROUPS, symbol) ? (GROUPS[symbol] ?? null) : null;
}
