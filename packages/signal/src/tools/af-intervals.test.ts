import { describe, expect, it } from 'vitest';
import type { Annotation } from '../io/wfdb-types.js';
import { afIntervals } from './af-intervals.js';

const rhythm = (sample: number, aux: string): Annotation => ({
  sample,
  symbol: '+',
  code: 28,
  subtype: 0,
  chan: 0,
  num: 0,
  aux,
});
const beat = (sample: number): Annotation => ({ ...rhythm(sample, ''), symbol: 'N', code: 1 });

describe('afIntervals', () => {
  it('opens at (AFIB or (AFL, closes at the next other rhythm, runs to the end when open', () => {
    const anns = [
      rhythm(0, '(N'),
      beat(100),
      rhythm(1000, '(AFIB'),
      beat(1200),
      rhythm(2000, '(AFL'),
      rhythm(3000, '(N\0'),
      rhythm(5000, '(AFIB'),
    ];
    expect(afIntervals(anns, 9000)).toEqual([
      [1000, 3000],
      [5000, 9000],
    ]);
  });

  it('scales annotation samples to the caller sampling', () => {
    expect(afIntervals([rhythm(360, '(AFIB'), rhythm(720, '(N')], 1000, 250 / 360)).toEqual([
      [250, 500],
    ]);
  });

  it('returns nothing without rhythm changes to AF', () => {
    expect(afIntervals([beat(10), rhythm(20, '(SBR')], 100)).toEqual([]);
  });
});
