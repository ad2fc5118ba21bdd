import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readEcg12Record } from '../io/index.js';
import { detectEcg12LimbReversal } from './detect-ecg12-limb-reversal.js';
import { swapEcg12LimbElectrodes } from './swap-ecg12-limb-electrodes.js';

const fixtures = join(import.meta.dirname, '..', 'io', 'fixtures', 'cinc2021');

/**
 * One dipole for P, QRS and T (a biphasic QRS, 1.5 mV; a P wave 0.15 mV 150 ms before it; a T
 * wave), frontal axis 45°: each limb lead is the projection on its hexaxial direction, V1–V6
 * the same waves with `precordialGains`. Every lead is a multiple of one waveform, so each
 * cosine is ±1 and the scores are known exactly: as recorded, QRS relations (I with V5/V6 +1,
 * aVR against them +1) → 1 and P (I + II − aVR)/(|I| + |II| + |aVR|) → 1: 1 + 0.5 × 1 = 1.5.
 */
function dipoleEcg(precordialGains = [-0.8, -0.5, 0.3, 0.9, 1.2, 1.0]): Float32Array[] {
  const fs = 500;
  const n = 10 * fs;
  const wave = new Float64Array(n);
  for (let onset = 300; onset + 800 < 10_000; onset += 800) {
    for (let i = 0; i < n; i++) {
      const t = (i * 1000) / fs - onset;
      if (t < -250 || t > 600) continue;
      const qrs = t > 0 && t < 90 ? Math.sin((Math.PI * t) / 45) * (t < 45 ? 1.5 : 0.4) : 0;
      wave[i] =
        (wave[i] ?? 0) +
        qrs +
        0.15 * Math.exp(-0.5 * ((t + 150) / 18) ** 2) +
        0.3 * Math.exp(-0.5 * ((t - 300) / 40) ** 2);
    }
  }
  const limb = [0, 60, 120, -150, -30, 90].map((d) => Math.cos(((45 - d) * Math.PI) / 180));
  return [...limb, ...precordialGains].map((g) => Float32Array.from(wave, (v) => v * g));
}
const c = (deg: number): number => Math.cos((deg * Math.PI) / 180);

describe('detectEcg12LimbReversal on a dipole model with known scores', () => {
  const fs = { samplingRateHz: 500 };

  it('scores the correctly wired record 1.5 and calls no reversal', () => {
    const r = detectEcg12LimbReversal(dipoleEcg(), fs);
    expect(r.reversal).toBeNull();
    expect(r.scores.asRecorded).toBeCloseTo(1.5, 3);
    expect(r.qrsCosineIV6).toBeCloseTo(1, 3);
    expect(r.pAreaI).toBeGreaterThan(0);
    expect(r.lateralRDominant).toBe(true);
  });

  it('calls LA/RA on the LA/RA-swapped record: I inverted, aVR = aVL, P inverted in I', () => {
    const r = detectEcg12LimbReversal(
      swapEcg12LimbElectrodes(dipoleEcg(), { ...fs, swap: 'LA/RA' }),
      fs,
    );
    expect(r.reversal).toBe('LA/RA');
    // Recorded I = −I (cos 45°), II = III (cos 75°), aVR = aVL (cos 75°): QRS −1, P
    // (−cos 45° + cos 75° − cos 75°)/(cos 45° + 2 cos 75°).
    const p = -c(45) / (c(45) + 2 * c(75));
    expect(r.scores.asRecorded).toBeCloseTo(-1 + 0.5 * p, 3);
    expect(r.scores['LA/RA']).toBeCloseTo(1.5, 3);
    expect(r.qrsCosineIV6).toBeCloseTo(-1, 3);
    expect(r.pAreaI).toBeLessThan(0);
    expect(r.lateralRDominant).toBe(true);
  });

  it('calls RA/LL on the RA/LL-swapped record: II inverted, aVR = aVF', () => {
    const r = detectEcg12LimbReversal(
      swapEcg12LimbElectrodes(dipoleEcg(), { ...fs, swap: 'RA/LL' }),
      fs,
    );
    expect(r.reversal).toBe('RA/LL');
    expect(r.scores.asRecorded).toBeCloseTo(-1.5, 3);
    expect(r.scores['RA/LL']).toBeCloseTo(1.5, 3);
  });

  it('does not call mirror-image dextrocardia a reversal: I inverted, V6 negative with R waves falling from V1 to V6', () => {
    // Dextrocardia: the limb leads of an LA/RA swap and the precordial gains reversed.
    const dextro = swapEcg12LimbElectrodes(dipoleEcg([1.0, 1.2, 0.9, 0.3, -0.5, -0.8]), {
      ...fs,
      swap: 'LA/RA',
    });
    const r = detectEcg12LimbReversal(dextro, fs);
    expect(r.reversal).toBeNull();
    expect(r.lateralRDominant).toBe(false);
    expect(r.rFractionV6).toBeCloseTo(0.32 / 1.52, 2);
    expect(r.pAreaI).toBeLessThan(0);
  });

  it('makes no call when a limb lead or both V5 and V6 are flat, and uses V5 when only V6 is', () => {
    const swapped = swapEcg12LimbElectrodes(dipoleEcg(), { ...fs, swap: 'LA/RA' });
    expect(detectEcg12LimbReversal(swapped, { ...fs, flatLeads: [1] }).reversal).toBeNull();
    expect(detectEcg12LimbReversal(swapped, { ...fs, flatLeads: [10, 11] }).reversal).toBeNull();
    expect(detectEcg12LimbReversal(swapped, { ...fs, flatLeads: [11] }).reversal).toBe('LA/RA');
  });

  it('checks its input and option first', () => {
    expect(() => detectEcg12LimbReversal([], fs)).toThrow(SignalInputError);
    expect(() => detectEcg12LimbReversal(dipoleEcg(), { ...fs, minMargin: 0 })).toThrow(
      /minMargin/,
    );
  });
});

describe('detectEcg12LimbReversal on real records (CinC 2021 E07509 RBBB, HR06006, JS20005)', () => {
  it('calls nothing on the records as recorded, LA/RA and RA/LL on their swapped copies', async () => {
    for (const name of ['E07509', 'HR06006', 'JS20005']) {
      const record = await readEcg12Record(join(fixtures, name));
      const fs = { samplingRateHz: record.samplingRateHz };
      const asRecorded = detectEcg12LimbReversal(record.leadsMv, fs);
      expect(asRecorded.reversal, name).toBeNull();
      expect(asRecorded.qrsCosineIV6, name).toBeGreaterThan(0.8);
      for (const swap of ['LA/RA', 'RA/LL'] as const) {
        const r = detectEcg12LimbReversal(
          swapEcg12LimbElectrodes(record.leadsMv, { ...fs, swap }),
          fs,
        );
        expect(r.reversal, `${name} ${swap}`).toBe(swap);
        expect(r.scores[swap] - r.scores.asRecorded, `${name} ${swap}`).toBeGreaterThan(1.2);
      }
      // LA/LL (I ↔ II, III → −III) is not judged: nothing is called.
      const laLl = swapEcg12LimbElectrodes(record.leadsMv, { ...fs, swap: 'LA/LL' });
      expect(detectEcg12LimbReversal(laLl, fs).reversal, `${name} LA/LL`).toBeNull();
    }
  });
});
