import { describe, expect, it } from 'vitest';
import { delineateQrsComplex } from './delineate-qrs-complex.js';
import { qrsDelineate } from './qrs-delineate.js';
import { QRS_DELINEATE_DEFAULTS } from './qrs-delineate-context.js';

/** Gaussian complexes of 3 widths on a slow baseline, every 800 ms at 250 Hz. */
function beats(fs: number): { ecg: Float64Array; peaks: number[] } {
  const ecg = new Float64Array(6 * fs);
  const peaks = [1, 2, 3, 4, 5].map((s) => Math.round((s - 0.3) * fs));
  peaks.forEach((p, b) => {
    const widthS = [0.012, 0.02, 0.03][b % 3] ?? 0.02;
    for (let i = 0; i < ecg.length; i++) {
      const t = (i - p) / fs / widthS;
      ecg[i] = (ecg[i] ?? 0) + 1.2 * Math.exp(-0.5 * t * t);
    }
  });
  for (let i = 0; i < ecg.length; i++) ecg[i] = (ecg[i] ?? 0) + 0.2 * Math.sin(i / fs);
  return { ecg, peaks };
}

describe('delineateQrsComplex', () => {
  it('gives each beat the onset and offset of qrsDelineate', () => {
    const fs = 250;
    const { ecg, peaks } = beats(fs);
    const all = qrsDelineate(ecg, fs, peaks);
    const out = { onset: 0, offset: 0 };
    peaks.forEach((p, b) => {
      delineateQrsComplex(ecg, fs, p, QRS_DELINEATE_DEFAULTS, out);
      expect(out.onset).toBe(all.onset[b]);
      expect(out.offset).toBe(all.offset[b]);
      expect(out.onset).toBeGreaterThan(0);
      expect(out.offset).toBeGreaterThan(p);
    });
  });

  it('leaves a flat segment undetermined (−1)', () => {
    const out = { onset: 7, offset: 7 };
    delineateQrsComplex(new Float64Array(500), 250, 250, QRS_DELINEATE_DEFAULTS, out);
    expect(out).toEqual({ onset: -1, offset: -1 });
  });
});
