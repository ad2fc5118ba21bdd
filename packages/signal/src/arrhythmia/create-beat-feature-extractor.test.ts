import { describe, expect, it } from 'vitest';
import {
  BEAT_FEATURE_NAMES,
  SINUS_P_FEATURE_NAMES,
  createBeatFeatureExtractor,
} from './create-beat-feature-extractor.js';

const FS = 360;

/** Narrow Gaussian QRS (σ = 10 ms, 1 mV) at each of `peaks` on a flat line. */
function addQrs(x: Float64Array, peaks: readonly number[]): void {
  const s = 0.01 * FS;
  for (const p of peaks) {
    for (let i = Math.max(0, p - 40); i < Math.min(x.length, p + 40); i++) {
      x[i] = (x[i] ?? 0) + Math.exp(-0.5 * ((i - p) / s) ** 2);
    }
  }
}

/** Deterministic uniform noise in [-a, a] (Park–Miller generator). */
function addNoise(x: Float64Array, from: number, to: number, a: number): void {
  let seed = 12345;
  for (let i = from; i < to; i++) {
    seed = (seed * 16807) % 2147483647;
    x[i] = (x[i] ?? 0) + a * (2 * (seed / 2147483647) - 1);
  }
}

describe('createBeatFeatureExtractor', () => {
  it('has no feature in absolute units (s, ms)', () => {
    expect(BEAT_FEATURE_NAMES.filter((n) => /_s$|Ms\//.test(n))).toEqual([]);
    expect(createBeatFeatureExtractor({ fs: FS }).nFeatures).toBe(BEAT_FEATURE_NAMES.length);
  });

  it('rejects a cluster count below 1 and a correlation threshold outside -1..1', () => {
    expect(() => createBeatFeatureExtractor({ fs: FS, clusters: 0 })).toThrow(/clusters/);
    expect(() => createBeatFeatureExtractor({ fs: FS, clusterCorrelation: 1.5 })).toThrow(
      /clusterCorrelation/,
    );
  });

  it('measures a premature beat against the slow end of the RR when premature beats are the majority', () => {
    // Sinus cycle 1 s; each sinus beat is followed by two premature beats 0.6 s apart, so
    // two thirds of the intervals are 0.6 s and the local and average medians read 0.6 s too.
    const peaks: number[] = [];
    let t = FS;
    for (let i = 0; i < 60; i++) {
      peaks.push(t);
      t += Math.round(0.6 * FS);
      peaks.push(t);
      t += Math.round(0.6 * FS);
      peaks.push(t);
      t += FS;
    }
    const x = new Float64Array(t + 2 * FS);
    addQrs(x, peaks);
    const ex = createBeatFeatureExtractor({ fs: FS });
    const view = { x, offset: 0 };
    const local = BEAT_FEATURE_NAMES.indexOf('preRR/localRR');
    const upper = BEAT_FEATURE_NAMES.indexOf('preRR/upperRR');
    const rows = peaks.map((p, k) =>
      ex.next(view, peaks[k - 1] ?? null, p, peaks[k + 1] ?? null).slice(),
    );
    // Last cycle: the sinus beat (after 1 s) and its first premature beat (after 0.6 s).
    const sinus = rows[rows.length - 3];
    const premature = rows[rows.length - 2];
    expect(premature?.[local]).toBeCloseTo(1, 2);
    expect(premature?.[upper]).toBeCloseTo(0.6, 2);
    expect(sinus?.[upper]).toBeCloseTo(1, 2);
    expect(() => createBeatFeatureExtractor({ fs: FS, upperQuantile: 1.5 })).toThrow(
      /upperQuantile/,
    );
  });

  it('keeps a noise stretch full of false detections out of the average RR', () => {
    // 120 beats at 60 bpm, then 60 s of noise "detected" every 250 ms, then 60 bpm again.
    const clean1 = Array.from({ length: 120 }, (_, i) => FS + i * FS);
    const noiseFrom = (clean1.at(-1) ?? 0) + FS;
    const noisy = Array.from({ length: 240 }, (_, i) => noiseFrom + Math.round(i * 0.25 * FS));
    const resume = (noisy.at(-1) ?? 0) + FS;
    const clean2 = Array.from({ length: 20 }, (_, i) => resume + i * FS);
    const x = new Float64Array(resume + 22 * FS);
    addQrs(x, [...clean1, ...clean2]);
    addNoise(x, noiseFrom - FS / 2, resume - FS / 2, 0.5);
    const peaks = [...clean1, ...noisy, ...clean2];
    const ratio = BEAT_FEATURE_NAMES.indexOf('preRR/avgRR');
    const view = { x, offset: 0 };
    const run = (noiseSlopeContrast: number): number => {
      const ex = createBeatFeatureExtractor({ fs: FS, noiseSlopeContrast });
      let last = 0;
      peaks.forEach((p, k) => {
        const f = ex.next(view, peaks[k - 1] ?? null, p, peaks[k + 1] ?? null);
        last = f[ratio] ?? NaN;
      });
      return last;
    };
    // Noise-like beats excluded (default): the last clean beat is on time, ratio 1.
    expect(run(6)).toBeCloseTo(1, 2);
    // Every beat counted (threshold 0): 240 intervals of 250 ms dominate the 300-interval median
    // and the on-time beat looks four times late.
    expect(run(0)).toBeGreaterThan(3.5);
  });

  it('groups beats by QRS shape: a recurring wide premature beat forms its own small cluster', () => {
    // 400 beats at 60 bpm; every 5th comes 40% early with a wide biphasic QRS (a VEB-like beat,
    // followed by a compensatory pause). Normal beats: narrow Gaussian of addQrs.
    const peaks: number[] = [];
    const ectopic: boolean[] = [];
    let t = FS;
    for (let i = 0; i < 400; i++) {
      const early = i % 5 === 4;
      t += early ? Math.round(0.6 * FS) : i % 5 === 0 && i > 0 ? Math.round(1.4 * FS) : FS;
      peaks.push(t);
      ectopic.push(early);
    }
    const x = new Float64Array(t + 2 * FS);
    addQrs(
      x,
      peaks.filter((_, i) => !ectopic[i]),
    );
    const s = 0.03 * FS;
    peaks.forEach((p, i) => {
      if (!ectopic[i]) return;
      for (let j = p - 100; j < p + 100; j++) {
        const u = (j - p) / s;
        x[j] = (x[j] ?? 0) - 1.5 * u * Math.exp(-0.5 * u * u);
      }
    });
    const ex = createBeatFeatureExtractor({ fs: FS });
    const view = { x, offset: 0 };
    const col = (name: string): number => BEAT_FEATURE_NAMES.indexOf(name);
    const rows = peaks.map((p, k) => ex.next(view, peaks[k - 1] ?? null, p, peaks[k + 1] ?? null));
    // Judged after the first 300 beats, once the decayed cluster weights have settled.
    const late = rows.slice(300);
    const lateEctopic = ectopic.slice(300);
    const mean = (name: string, which: boolean): number => {
      const v = late.filter((_, i) => lateEctopic[i] === which).map((f) => f[col(name)] ?? NaN);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(mean('clusterShare', false)).toBeGreaterThan(0.75);
    expect(mean('clusterShare', true)).toBeGreaterThan(0.15);
    expect(mean('clusterShare', true)).toBeLessThan(0.25);
    expect(mean('dominantShare', true)).toBeGreaterThan(0.75);
    // Prematurity is preRR / local RR median (here 1 s): the ectopic cluster's mean is 0.6.
    expect(mean('clusterPrematurity', true)).toBeCloseTo(0.6, 1);
    expect(mean('clusterPrematurity', false)).toBeGreaterThan(0.95);
    expect(mean('clusterCorrQrs', true)).toBeLessThan(0.8);
    expect(mean('clusterCorrQrs', false)).toBeGreaterThan(0.95);
  });

  it('appends the sinus P-wave features only when asked', () => {
    expect(createBeatFeatureExtractor({ fs: FS, sinusPFeatures: true }).nFeatures).toBe(
      BEAT_FEATURE_NAMES.length + SINUS_P_FEATURE_NAMES.length,
    );
    expect(() => createBeatFeatureExtractor({ fs: FS, sinusPBeats: 0 })).toThrow(/sinusPBeats/);
    expect(() => createBeatFeatureExtractor({ fs: FS, pauseShare: -1 })).toThrow(/pauseShare/);
    expect(() => createBeatFeatureExtractor({ fs: FS, sinusPCorrelation: 2 })).toThrow(
      /sinusPCorrelation/,
    );
  });

  it('takes the sinus P template from post-pause beats when premature beats are the majority', () => {
    // Sinus beats carry an upright P wave 180 ms before the R peak, premature beats an inverted
    // one. Two of three groups are a sinus beat, three premature beats 0.6 s apart and a 1.4-s
    // pause; every third group is a sinus beat followed by the next at 1 s. Premature beats are
    // two thirds of the beats, so the dominant template (and its P wave) is theirs; the beats after
    // the pauses are sinus.
    const peaks: number[] = [];
    const sinus: boolean[] = [];
    let t = FS;
    for (let g = 0; g < 90; g++) {
      peaks.push(t);
      sinus.push(true);
      if (g % 3 === 2) {
        t += FS;
        continue;
      }
      for (let j = 0; j < 3; j++) {
        t += Math.round(0.6 * FS);
        peaks.push(t);
        sinus.push(false);
      }
      t += Math.round(1.4 * FS);
    }
    const x = new Float64Array(t + 2 * FS);
    addQrs(x, peaks);
    const s = 0.02 * FS;
    peaks.forEach((p, i) => {
      const a = sinus[i] ? 0.15 : -0.15;
      const c = p - Math.round(0.18 * FS);
      for (let j = c - Math.round(4 * s); j < c + Math.round(4 * s); j++)
        x[j] = (x[j] ?? 0) + a * Math.exp(-0.5 * ((j - c) / s) ** 2);
    });
    const ex = createBeatFeatureExtractor({ fs: FS, sinusPFeatures: true });
    const view = { x, offset: 0 };
    const col = (name: string): number =>
      [...BEAT_FEATURE_NAMES, ...SINUS_P_FEATURE_NAMES].indexOf(name);
    const matches: boolean[] = [];
    const rows = peaks.map((p, k) => {
      const f = ex.next(view, peaks[k - 1] ?? null, p, peaks[k + 1] ?? null).slice();
      matches.push(ex.sinusPMatch);
      return f;
    });
    const late = rows.slice(60);
    const lateSinus = sinus.slice(60);
    const values = (name: string, which: boolean): number[] =>
      late.filter((_, i) => lateSinus[i] === which).map((f) => f[col(name)] ?? NaN);
    // The sinus P template is the upright P wave of the post-pause beats...
    expect(Math.min(...values('corrSinusP', true))).toBeGreaterThan(0.95);
    expect(Math.max(...values('corrSinusP', false))).toBeLessThan(-0.9);
    // ...while the dominant template's P wave is the premature beats' inverted one.
    expect(Math.max(...values('corrP', true))).toBeLessThan(-0.9);
    // The sinus cycle is the 1-s RR of the sinus beats in a row, not the 0.6-s coupling (the
    // local and average medians) nor the 1.4-s pause (the upper RR).
    for (const v of values('preRR/sinusRR', false)) expect(v).toBeCloseTo(0.6, 2);
    expect(values('preRR/upperRR', false)[0]).toBeCloseTo(0.6 / 1.4, 2);
    // Every post-pause beat's P wave matched the template: the sinus node, not fibrillation.
    expect(new Set(late.map((f) => f[col('sinusPConsistency')]))).toEqual(new Set([1]));
    // sinusPMatch marks exactly those post-pause beats: the sinus beats after a 1.4-s pause, not
    // the premature beats nor the sinus beat 1 s after another.
    const lateMatches = matches.slice(60);
    const afterPause = peaks.slice(60).map((p, i) => p - (peaks[59 + i] ?? 0) > 1.2 * FS);
    expect(lateMatches).toEqual(afterPause);
  });
});
