import { describe, expect, it } from 'vitest';
import { averageBeatResidual } from './average-beat-residual.js';
import { createRng } from '../synth/create-rng.js';

const fs = 250;

/** Gaussian-sum beats (P, Q, R, S, T in ms from the R peak, mV) at the given R peaks. */
function synth(peaks: number[], length: number, withP: boolean): Float64Array {
  const waves: [number, number, number][] = [
    [-25, -0.1, 8],
    [0, 1.0, 10],
    [25, -0.2, 8],
    [250, 0.3, 40],
  ];
  if (withP) waves.push([-160, 0.15, 20]);
  const x = new Float64Array(length);
  for (const r of peaks) {
    for (const [centreMs, amp, sdMs] of waves) {
      const c = r + (centreMs * fs) / 1000;
      const sd = (sdMs * fs) / 1000;
      for (let t = Math.max(0, Math.floor(c - 5 * sd)); t < Math.min(length, c + 5 * sd); t++)
        x[t] = (x[t] ?? 0) + amp * Math.exp(-0.5 * ((t - c) / sd) ** 2);
    }
  }
  return x;
}

/** R peaks with RR drawn uniformly in [loMs, hiMs] (seeded). */
function peaksWithRr(count: number, loMs: number, hiMs: number, seed: number): number[] {
  const rng = createRng(seed);
  const out = [Math.round(0.5 * fs)];
  while (out.length < count)
    out.push((out.at(-1) ?? 0) + Math.round(((loMs + (hiMs - loMs) * rng.uniform()) * fs) / 1000));
  return out;
}

/** Gain of the default band-pass (13-sample minus 43-sample centred moving averages) at f Hz. */
function bandGain(f: number): number {
  const ma = (len: number): number => {
    let re = 0;
    for (let j = -(len >> 1); j <= len >> 1; j++) re += Math.cos((2 * Math.PI * f * j) / fs);
    return re / len;
  };
  return Math.abs(ma(13) - ma(43));
}

describe('averageBeatResidual', () => {
  it('cancels identical beats with P waves even when the RR varies (sinus arrhythmia)', () => {
    const peaks = peaksWithRr(9, 550, 1100, 7);
    const x = synth(peaks, (peaks.at(-1) ?? 0) + fs, true);
    const r = averageBeatResidual(x, peaks, { fs });
    expect(r).not.toBeNull();
    // QRS peak-to-peak: R 1.0 down to S -0.2 (plus the Q and S overlap).
    expect(r?.qrsAmplitudeMv).toBeCloseTo(1.2, 1);
    expect(r?.ratio ?? 1).toBeLessThan(0.01);
  });

  it('reads 6 Hz f waves as their band-passed RMS over the QRS amplitude', () => {
    const peaks = peaksWithRr(9, 450, 900, 11);
    const length = (peaks.at(-1) ?? 0) + fs;
    const clean = synth(peaks, length, false);
    const amp = 0.06;
    const af = clean.map((v, t) => v + amp * Math.sin((2 * Math.PI * 6 * t) / fs + 0.3));
    const base = averageBeatResidual(clean, peaks, { fs });
    const withF = averageBeatResidual(af, peaks, { fs });
    const expected = (amp / Math.SQRT2) * bandGain(6);
    // Over the QRS amplitude 1.2: about 0.029; the template takes a share of the f wave that
    // happens to be in phase with the R peaks (1/9 of its power for random phases).
    expect(withF?.residualRmsMv ?? 0).toBeGreaterThan(0.85 * expected);
    expect(withF?.residualRmsMv ?? 0).toBeLessThan(1.1 * expected);
    expect((withF?.ratio ?? 0) - (base?.ratio ?? 0)).toBeGreaterThan(0.02);
    expect(base?.ratio ?? 1).toBeLessThan(0.005);
  });

  it('returns the cancelled signal and the TQ spans it measured, the f wave left in them', () => {
    const peaks = peaksWithRr(9, 450, 900, 11);
    const length = (peaks.at(-1) ?? 0) + fs;
    const amp = 0.06;
    const wave = (t: number): number => amp * Math.sin((2 * Math.PI * 6 * t) / fs + 0.3);
    const x = synth(peaks, length, false).map((v, t) => v + wave(t));
    const r = averageBeatResidual(x, peaks, { fs });
    // One span per interval: from 80 ms after an R peak to 60 ms before the next.
    expect(Array.from(r?.spans ?? [])).toEqual(
      peaks.slice(1).flatMap((p, i) => [(peaks[i] ?? 0) + 20 + 1, p - 15]),
    );
    expect(r?.residualMv.length).toBe(length);
    // Inside the spans the residual is the f wave less its mean over the record's baseline
    // levels and the template's share of it (about 1/9 of its power): its RMS within 20 %.
    let e = 0;
    let m = 0;
    const sp = r?.spans ?? new Int32Array(0);
    for (let i = 0; i < sp.length; i += 2)
      for (let t = sp[i] ?? 0; t < (sp[i + 1] ?? 0); t++) {
        e += (r?.residualMv[t] ?? 0) ** 2;
        m++;
      }
    expect(Math.sqrt(e / m)).toBeGreaterThan(0.8 * (amp / Math.SQRT2));
    expect(Math.sqrt(e / m)).toBeLessThan(1.2 * (amp / Math.SQRT2));
  });

  it('leaves intervals next to ineligible beats unmeasured', () => {
    const peaks = peaksWithRr(9, 700, 900, 3);
    const x = synth(peaks, (peaks.at(-1) ?? 0) + fs, true);
    const all = averageBeatResidual(x, peaks, { fs });
    const some = averageBeatResidual(x, peaks, {
      fs,
      beatEligible: peaks.map((_, i) => i !== 4),
    });
    expect(some?.measuredSamples ?? 0).toBeLessThan(all?.measuredSamples ?? 0);
    const none = averageBeatResidual(x, peaks, { fs, beatEligible: peaks.map(() => false) });
    expect(none).toBeNull();
  });

  it('rejects peaks outside the signal or out of order', () => {
    const x = new Float64Array(1000);
    expect(() => averageBeatResidual(x, [100, 50], { fs })).toThrow();
    expect(() => averageBeatResidual(x, [100, 2000], { fs })).toThrow();
    expect(() => averageBeatResidual(x, [100], { fs: 0 })).toThrow();
  });
});
