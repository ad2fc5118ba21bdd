import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { swapEcg12LimbElectrodes } from './swap-ecg12-limb-electrodes.js';

/** The six limb leads from the electrode potentials R, L, F (Einthoven, Goldberger). */
function limbLeads(r: number, l: number, f: number): number[] {
  return [l - r, f - r, f - l, r - (l + f) / 2, l - (r + f) / 2, f - (r + l) / 2];
}

/**
 * A record built from three electrode potentials (distinct sines, so no lead is another's
 * multiple) and six precordial leads: the oracle for each interchange is the same record built
 * from the exchanged potentials.
 */
function fromPotentials(order: ('R' | 'L' | 'F')[]): Float64Array[] {
  const n = 2500;
  const out = Array.from({ length: 12 }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const t = i / 500;
    const p = {
      R: Math.sin(2 * Math.PI * 1.1 * t),
      L: 0.7 * Math.cos(2 * Math.PI * 1.7 * t),
      F: 0.4 * Math.sin(2 * Math.PI * 2.3 * t + 1),
    };
    const [r, l, f] = order.map((e) => p[e]) as [number, number, number];
    limbLeads(r, l, f).forEach((v, k) => ((out[k] as Float64Array)[i] = v));
    for (let k = 6; k < 12; k++)
      (out[k] as Float64Array)[i] = (k - 5) * 0.1 * Math.sin(2 * Math.PI * 0.9 * t + k);
  }
  return out;
}

describe('swapEcg12LimbElectrodes', () => {
  it('gives the leads of the record with the two electrode potentials exchanged, V1–V6 unchanged', () => {
    const record = fromPotentials(['R', 'L', 'F']);
    const oracles = {
      'LA/RA': fromPotentials(['L', 'R', 'F']),
      'LA/LL': fromPotentials(['R', 'F', 'L']),
      'RA/LL': fromPotentials(['F', 'L', 'R']),
    } as const;
    for (const swap of ['LA/RA', 'LA/LL', 'RA/LL'] as const) {
      const swapped = swapEcg12LimbElectrodes(record, { samplingRateHz: 500, swap });
      swapped.forEach((lead, k) => {
        const oracle = oracles[swap][k] as Float64Array;
        for (let i = 0; i < lead.length; i += 97)
          expect(lead[i], `${swap} lead ${k}`).toBeCloseTo(oracle[i] ?? NaN, 12);
      });
      // Swapping twice restores the record.
      const back = swapEcg12LimbElectrodes(swapped, { samplingRateHz: 500, swap });
      back.forEach((lead, k) => {
        expect(Array.from(lead)).toEqual(Array.from(record[k] as Float64Array));
      });
    }
  });

  it('defaults to LA/RA: I → −I, II ↔ III, aVR ↔ aVL, aVF unchanged', () => {
    const record = fromPotentials(['R', 'L', 'F']);
    const s = swapEcg12LimbElectrodes(record, { samplingRateHz: 500 });
    expect(s[0]?.[10]).toBeCloseTo(-(record[0]?.[10] ?? NaN), 12);
    expect(s[1]?.[10]).toBe(record[2]?.[10]);
    expect(s[2]?.[10]).toBe(record[1]?.[10]);
    expect(s[3]?.[10]).toBe(record[4]?.[10]);
    expect(s[5]?.[10]).toBe(record[5]?.[10]);
    expect(s[0]).toBeInstanceOf(Float64Array);
  });

  it('checks its input and option first', () => {
    expect(() => swapEcg12LimbElectrodes([], { samplingRateHz: 500 })).toThrow(SignalInputError);
    const leads = fromPotentials(['R', 'L', 'F']);
    expect(() =>
      swapEcg12LimbElectrodes(leads, { samplingRateHz: 500, swap: 'RA/RL' as 'LA/RA' }),
    ).toThrow(/swap must be one of LA\/RA, LA\/LL, RA\/LL/);
  });
});
