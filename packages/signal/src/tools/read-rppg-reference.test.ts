import { describe, expect, it } from 'vitest';
import { readRppgReference } from './read-rppg-reference.js';

describe('readRppgReference', () => {
  it('reads the UBFC DATASET_2 layout: PPG, HR and time (s) rows, times turned into ms', () => {
    const ref = readRppgReference(
      ' 1.0e-01 -2.5e-01 3.0e-01\n 7.2e+01 7.2e+01 7.3e+01\n 0.0e+00 3.3e-02 6.7e-02\n',
    );
    expect(Array.from(ref.ppg)).toEqual([0.1, -0.25, 0.3]);
    expect(Array.from(ref.hrBpm)).toEqual([72, 72, 73]);
    expect(ref.timesMs[1]).toBeCloseTo(33, 9);
    expect(ref.timesMs[2]).toBeCloseTo(67, 9);
  });

  it('reads the UBFC DATASET_1 gtdump.xmp rows "time ms, HR, SpO2, PPG"', () => {
    const ref = readRppgReference('0,71,98,120\r\n33,71,98,125\r\n66,72,98,131\r\n');
    expect(Array.from(ref.timesMs)).toEqual([0, 33, 66]);
    expect(Array.from(ref.hrBpm)).toEqual([71, 71, 72]);
    expect(Array.from(ref.ppg)).toEqual([120, 125, 131]);
  });

  it('keeps a repeated time (one sample per frame) but refuses a time going back', () => {
    expect(readRppgReference('1 2 3\n70 70 70\n0 0.1 0.1').timesMs.length).toBe(3);
    expect(() => readRppgReference('1 2 3\n70 70 70\n0 0.2 0.1')).toThrow(/never decrease/);
  });

  it('refuses rows of different lengths and an empty file', () => {
    expect(() => readRppgReference('1 2 3\n70 70\n0 0.1 0.2')).toThrow(/differ in length/);
    expect(() => readRppgReference('  ')).toThrow(/empty/);
  });
});
