import { describe, expect, it } from 'vitest';
import { createRng } from '../synth/create-rng.js';
import { ecgsyn } from '../synth/ecgsyn.js';
import { selectRhythmLead } from './select-rhythm-lead.js';

const fs = 250;
const ecg = ecgsyn({ durationS: 4, fs, seed: 7 }).ecgMv;
function noise(n: number, sdMv: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal() * sdMv);
}

describe('selectRhythmLead', () => {
  it('keeps the preferred lead while it looks like ECG', () => {
    const other = Float64Array.from(ecg, (v) => v * 2);
    expect(selectRhythmLead([ecg, other], fs, { preferredIndex: 0 })).toBe(0);
  });

  it('moves to the lead with QRS complexes when the preferred one is noise', () => {
    const leads = [noise(ecg.length, 0.2, 1), ecg, noise(ecg.length, 0.05, 2)];
    expect(selectRhythmLead(leads, fs, { preferredIndex: 0 })).toBe(1);
  });

  it('refuses an empty lead list and a preferred index outside it', () => {
    expect(() => selectRhythmLead([], fs)).toThrow(/no leads/);
    expect(() => selectRhythmLead([ecg], fs, { preferredIndex: 3 })).toThrow(/preferredIndex/);
  });
});
