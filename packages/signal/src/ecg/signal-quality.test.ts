import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SignalInputError } from '../errors.js';
import { readWfdbRecord } from '../io/index.js';
import { ecgsyn } from '../synth/ecgsyn.js';
import { signalQuality } from './signal-quality.js';

/** Deterministic standard normal samples (Park–Miller LCG + Box–Muller). */
function gaussian(n: number, seed = 1): Float64Array {
  let s = seed;
  const uniform = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Float64Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

const clean = ecgsyn({ fs: 360, durationS: 10, heartRateBpm: 70, seed: 3 }).ecgMv;

describe('signalQuality', () => {
  it('finds clean synthetic ECG analysable with a high score', () => {
    const q = signalQuality(clean, 360);
    expect(q.analysable).toBe(true);
    expect(q.reasons).toEqual([]);
    expect(q.score).toBeGreaterThan(0.9);
    expect(q.metrics.kurtosis).toBeGreaterThan(10);
  });

  it('finds real MIT-BIH excerpts analysable (records 119, 208)', async () => {
    for (const name of ['119', '208']) {
      const rec = await readWfdbRecord(join(import.meta.dirname, '../io/fixtures', name));
      const q = signalQuality(
        rec.signals[0]?.physical.subarray(0, 3600) ?? new Float64Array(),
        rec.fs,
      );
      expect(q.analysable).toBe(true);
    }
  });

  it('flags a flat line (lead off) as not analysable', () => {
    const q = signalQuality(new Float64Array(3600).fill(0.2), 360);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toEqual(['flat-line']);
    expect(q.score).toBeLessThan(0.5);
  });

  it('flags a signal stuck at a rail for half of the segment', () => {
    const x = clean.slice();
    x.fill(-5, 1800);
    const q = signalQuality(x, 360);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('saturation');
  });

  it('flags an ECG clipped by the amplifier', () => {
    let max = -Infinity;
    for (const v of clean) max = Math.max(max, v);
    const clipped = clean.map((v) => Math.min(v, 0.4 * max));
    const q = signalQuality(clipped, 360);
    expect(q.metrics.clippedFraction).toBeGreaterThan(0.02);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('saturation');
  });

  it('uses the ADC rails when given', () => {
    const x = clean.slice();
    for (let i = 0; i < x.length; i += 20) x[i] = 2.5; // isolated rail hits, 5 %
    expect(signalQuality(x, 360, { railsMv: [-2.5, 2.5] }).reasons).toContain('saturation');
  });

  it.each([125, 360, 1000])('flags white Gaussian noise at %i Hz', (fs) => {
    const q = signalQuality(gaussian(10 * fs), fs);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('low-kurtosis');
    expect(q.metrics.kurtosis).toBeGreaterThan(2.5);
    expect(q.metrics.kurtosis).toBeLessThan(3.5);
  });

  it('flags ECG buried in strong high-frequency noise', () => {
    const noise = gaussian(clean.length, 9);
    const q = signalQuality(
      clean.map((v, i) => v + 0.5 * (noise[i] ?? 0)),
      360,
    );
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('high-frequency-noise');
  });

  it('flags a baseline excursion of several mV (electrode motion, amplifier recovery)', () => {
    const x = clean.map((v, i) => v + 3 * Math.sin((2 * Math.PI * 0.1 * i) / 360));
    const q = signalQuality(x, 360);
    expect(q.metrics.baselineRatio).toBeGreaterThan(0.95);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('baseline-wander');
    // ordinary respiratory wander (0.3 mV at 0.25 Hz) is fine
    const mild = clean.map((v, i) => v + 0.3 * Math.sin((2 * Math.PI * 0.25 * i) / 360));
    expect(signalQuality(mild, 360).analysable).toBe(true);
  });

  it('tolerates mild noise and mains hum, reporting the hum as a warning', () => {
    const noise = gaussian(clean.length, 5);
    const x = clean.map(
      (v, i) => v + 0.02 * (noise[i] ?? 0) + 0.3 * Math.sin((2 * Math.PI * 50 * i) / 360),
    );
    const q = signalQuality(x, 360);
    expect(q.analysable).toBe(true);
    expect(q.reasons).toContain('mains-interference');
  });

  it('calls a 100 Hz stream that is mostly 50 Hz hum at the Nyquist rate, with spikes, not analysable', () => {
    // An unattached electrode lead on a 100 Hz ADC: samples alternate around the baseline (50 Hz
    // = fs/2) with sparse 0.2 mV dips that pass for QRS complexes.
    const fs = 100;
    const noise = gaussian(1000, 9);
    const x = Float64Array.from({ length: 1000 }, (_, i) => {
      const hum = 0.05 * (i % 2 === 0 ? 1 : -1);
      const dip = i % 2 === 0 && i % 173 < 4 ? -0.2 : 0;
      return hum + dip + 0.002 * (noise[i] ?? 0);
    });
    const q = signalQuality(x, fs);
    expect(q.metrics.mainsRatio + q.metrics.hfRatio).toBeGreaterThan(0.8);
    expect(q.analysable).toBe(false);
    expect(q.reasons).toContain('high-frequency-noise');
    // the same hum under a real ECG (synthetic, 1 mV QRS) stays a warning
    const ecg = ecgsyn({ fs, durationS: 10, heartRateBpm: 70, seed: 3 }).ecgMv;
    const hummed = ecg.map((v, i) => v + 0.05 * (i % 2 === 0 ? 1 : -1));
    expect(signalQuality(hummed, fs).analysable).toBe(true);
  });

  it('calls a segment under the minimum duration too short rather than guessing', () => {
    expect(signalQuality(clean.subarray(0, 300), 360)).toMatchObject({
      analysable: false,
      reasons: ['too-short'],
    });
  });

  it('rejects hostile input with typed errors', () => {
    const code = (fn: () => unknown): [string, string] => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(SignalInputError);
        return [(error as SignalInputError).code, (error as SignalInputError).field];
      }
      return ['none', ''];
    };
    expect(code(() => signalQuality(new Float64Array(0), 360))).toEqual(['EMPTY_INPUT', 'ecgMv']);
    const x = clean.slice();
    x[7] = NaN;
    expect(code(() => signalQuality(x, 360))).toEqual(['NON_FINITE_SAMPLE', 'ecgMv[7]']);
    expect(code(() => signalQuality(clean, 99))).toEqual(['SAMPLE_RATE_OUT_OF_RANGE', 'fs']);
    expect(code(() => signalQuality([1] as unknown as Float64Array, 360))).toEqual([
      'INVALID_ARGUMENT',
      'ecgMv',
    ]);
    expect(code(() => signalQuality(clean, 360, { flatMv: -1 }))).toEqual([
      'INVALID_OPTION',
      'options.flatMv',
    ]);
  });
});
