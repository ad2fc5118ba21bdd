import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createEcgSynth } from '../synth/create-ecg-synth.js';
import { createAtrialActivityTracker } from './create-atrial-activity-tracker.js';

const FS = 250;

/** ECGSYN (McSharry et al. 2003): sinus beats carry a P wave, AF beats f waves and none. */
function synth(rhythm: 'sinus' | 'af', seconds: number, seed: number) {
  const s = createEcgSynth({ fs: FS, rhythm, heartRateBpm: 80, seed, noiseMv: 0.01 });
  const ecg = s.next(seconds * FS);
  return { ecg, peaks: s.takeBeats().map((b) => b.sample) };
}

/** Feeds every beat after the first second; returns the scores after each beat. */
function feed(
  t: ReturnType<typeof createAtrialActivityTracker>,
  rec: { ecg: Float64Array; peaks: number[] },
  sinusContext: boolean,
) {
  const coherence: (number | null)[] = [];
  const correlation: (number | null)[] = [];
  for (const p of rec.peaks.filter((q) => q > FS)) {
    coherence.push(t.push(rec.ecg, 0, p, true, sinusContext));
    correlation.push(t.templateCorrelation);
  }
  return { coherence, correlation };
}

const min = (v: (number | null)[]) => Math.min(...v.map((x) => x ?? NaN));
const max = (v: (number | null)[]) => Math.max(...v.map((x) => x ?? NaN));

// ECGSYN times a beat's T wave by the following RR interval, so in its AF the previous T wave's
// tail sits at a fixed fraction of the RR before the next QRS: the longer (not premature) AF
// beats share it and look coherent, which real AF does not (the T wave follows the previous R).
// The AF oracles below therefore compare every beat (`minPrematurity: 0`); the prematurity rule
// has its own test.
const ALL_BEATS = { fs: FS, minPrematurity: 0 };

/**
 * Sinus arrhythmia at 250 Hz: RR 0.5 to 1.1 s in a fixed order (`beats` R peaks), each beat a
 * Gaussian QRS (1 mV), S wave, T wave 300 ms after its own R (as in real ECGs) and a P wave of
 * `pMv` 160 ms before it, plus `fMv` of 6 Hz f waves and `humMv` of a fixed small tone.
 */
function irregularEcg(beats: number) {
  const rrs = [250, 130, 200, 275, 140, 180, 260, 150, 225, 135, 270, 190];
  const peaks: number[] = [];
  for (let r = 200, i = 0; peaks.length < beats; i++) peaks.push((r += rrs[i % rrs.length] ?? 200));
  const n = (peaks.at(-1) ?? 0) + 300;
  const g = (t: number, mu: number, sd: number) => Math.exp(-0.5 * ((t - mu) / sd) ** 2);
  const make = (pMv: number, fMv: number, humMv = 0) =>
    Float64Array.from({ length: n }, (_, i) => {
      let v = fMv * Math.sin((2 * Math.PI * 6 * i) / FS) + humMv * Math.sin(i * 1.7);
      for (const r of peaks) {
        const t = (i - r) / FS;
        if (Math.abs(t) > 0.5) continue;
        v +=
          g(t, 0, 0.01) - 0.2 * g(t, 0.03, 0.01) + 0.3 * g(t, 0.3, 0.04) + pMv * g(t, -0.16, 0.02);
      }
      return v;
    });
  return { peaks, n, make };
}

describe('createAtrialActivityTracker', () => {
  it('finds coherent P waves in sinus rhythm and none in AF (ECGSYN oracle)', () => {
    const sinus = feed(createAtrialActivityTracker({ fs: FS }), synth('sinus', 60, 1), true);
    const af = feed(createAtrialActivityTracker(ALL_BEATS), synth('af', 60, 2), false);
    // Nothing before 8 beats were seen.
    expect(sinus.coherence.slice(0, 7).every((c) => c === null)).toBe(true);
    expect(min(sinus.coherence.slice(7))).toBeGreaterThan(0.9);
    // f waves have no fixed phase to the QRS and average out; what stays is the smooth tail of
    // the previous T wave, whose position varies with the irregular RR.
    const afValues = af.coherence.slice(7).map((c) => c ?? NaN);
    const sorted = [...afValues].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(0.5);
    expect(max(afValues)).toBeLessThan(0.8);
    expect(af.correlation.every((c) => c === null)).toBe(true);
  });

  it('ends the segment segmentEndMs before the R peak at rates where a bin is not whole samples', () => {
    // White noise and, common to every beat, only a QRS onset: a 1-mV ramp over the 50 ms before
    // each R peak. The segment (330 to 70 ms before the peak) holds none of it, so the 8 beats
    // average out (coherence about 1/8). At 250 Hz a 10-ms bin is 2.5 samples; rounding it once
    // to 3 and repeating it made 26 bins reach 18 ms before the peak and read the QRS as a P wave.
    for (const fs of [250, 360, 500]) {
      let seed = 7;
      const noise = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648 - 0.5;
      };
      const rr = Math.round(0.8 * fs);
      const peaks = Array.from({ length: 40 }, (_, i) => fs + i * rr);
      const ecg = Float64Array.from({ length: fs * 2 + 40 * rr }, () => 0.02 * noise());
      const onset = Math.round(0.05 * fs);
      for (const p of peaks) for (let j = 0; j <= onset; j++) ecg[p - onset + j] = j / onset;
      const t = createAtrialActivityTracker({ fs, minPrematurity: 0 });
      const scores = peaks.map((p) => t.push(ecg, 0, p, true));
      expect(max(scores.slice(7))).toBeLessThan(0.4);
    }
  });

  it('correlates with the sinus P template until AF starts', () => {
    const t = createAtrialActivityTracker(ALL_BEATS);
    const sinus = feed(t, synth('sinus', 40, 3), true);
    expect(min(sinus.correlation.slice(20))).toBeGreaterThan(0.95);
    const af = synth('af', 30, 4);
    const afScores = feed(t, af, false);
    // Once the 8 compared beats are all AF beats the average segment no longer looks like the
    // sinus P wave.
    expect(max(afScores.correlation.slice(8))).toBeLessThan(0.5);
    const again = feed(t, synth('sinus', 20, 5), true);
    expect(min(again.correlation.slice(8))).toBeGreaterThan(0.9);
  });

  it('leaves premature beats out, so frequent ectopy does not read as absent P waves', () => {
    // Sinus rhythm at 75 bpm with 30% premature beats without a P wave, all passed as eligible:
    // what a classifier that misses atrial ectopy hands the tracker.
    const scores = (minPrematurity: number): number => {
      const s = createEcgSynth({
        fs: FS,
        heartRateBpm: 75,
        seed: 9,
        noiseMv: 0.01,
        pvcProbability: 0.3,
      });
      const ecg = s.next(60 * FS);
      const t = createAtrialActivityTracker({ fs: FS, minPrematurity });
      const out = s
        .takeBeats()
        .filter((b) => b.sample > FS)
        .map((b) => t.push(ecg, 0, b.sample, true, false))
        .slice(10)
        .map((c) => c ?? NaN)
        .sort((a, b) => a - b);
      return out[out.length >> 1] ?? NaN;
    };
    // Median coherence above the 0.5 the AF paths take for absent P waves with the default rule,
    // far below it when every beat is compared (measured 0.61 and 0.16).
    expect(scores(0.9)).toBeGreaterThan(0.5);
    expect(scores(0)).toBeLessThan(0.3);
  });

  /**
   * A regular synthetic ECG at 75 bpm (RR 0.8 s = 200 samples): Gaussian QRS (R 1 mV, S -0.2 mV)
   * and T wave (0.3 mV, 300 ms after R), and either a sinus P wave (0.15 mV, 160 ms before R) on
   * every beat or, instead, fibrillatory waves: a continuous `fMv` sine at `fHz`, whose phase at
   * each R advances by 0.8 · fHz cycles, so it is not fixed to the QRS.
   */
  function regularEcg(p: { pMv: number; fMv: number; fHz: number; gain?: number }) {
    const rr = 200;
    const n = 40 * rr;
    const ecg = new Float64Array(n);
    const peaks: number[] = [];
    const g = (t: number, mu: number, sd: number) => Math.exp(-0.5 * ((t - mu) / sd) ** 2);
    for (let r = rr; r < n - rr; r += rr) peaks.push(r);
    for (let i = 0; i < n; i++) {
      let v = p.fMv * Math.sin((2 * Math.PI * p.fHz * i) / FS);
      for (const r of peaks) {
        const t = (i - r) / FS;
        if (Math.abs(t) > 0.5) continue;
        v += g(t, 0, 0.01) - 0.2 * g(t, 0.03, 0.01) + 0.3 * g(t, 0.3, 0.04);
        v += p.pMv * g(t, -0.16, 0.02);
      }
      ecg[i] = (p.gain ?? 1) * v;
    }
    return { ecg, peaks };
  }
  const residualAfter = (rec: { ecg: Float64Array; peaks: number[] }) => {
    const t = createAtrialActivityTracker({ fs: FS });
    const out: (number | null)[] = [];
    for (const p of rec.peaks) {
      t.push(rec.ecg, 0, p, true);
      out.push(t.atrialResidual);
    }
    return out;
  };

  it('reads no atrial residual under identical sinus P waves and f waves at 6 Hz as such', () => {
    const sinus = residualAfter(regularEcg({ pMv: 0.15, fMv: 0, fHz: 6 }));
    // Null until 8 beats were seen, as the coherence; once the first beat (no T wave before it)
    // has left the 8, the beats cancel exactly.
    expect(sinus.slice(0, 7).every((v) => v === null)).toBe(true);
    for (const v of sinus.slice(8)) expect(v).toBeCloseTo(0, 12);
    // f waves of 0.1 mV at 6 Hz and no P wave, QRS peak-to-peak 1.2 mV (plus the f wave there):
    // at most the sine's RMS ratio 0.1 / (√2 · 1.2) = 0.059, less what the band-pass (0.86 at
    // 6 Hz), the segment's detrending and the 8-beat average take (0.045 to 0.049 here).
    const af = residualAfter(regularEcg({ pMv: 0, fMv: 0.1, fHz: 6 })).slice(7);
    const bound = 0.1 / (Math.SQRT2 * 1.2);
    for (const v of af) {
      expect(v).toBeGreaterThan(0.7 * bound);
      expect(v).toBeLessThan(bound);
    }
    // A slow wave (1.5 Hz, as the tail of a T wave that moves with the RR) is mostly taken by
    // the band-pass: under a quarter of the 6-Hz reading.
    const slow = residualAfter(regularEcg({ pMv: 0, fMv: 0.1, fHz: 1.5 })).slice(7);
    slow.forEach((v, i) => {
      expect(v).toBeLessThan(0.25 * (af[i] ?? NaN));
    });
    // Scale-free: the same strip at 3 times the gain reads the same.
    const louder = residualAfter(regularEcg({ pMv: 0, fMv: 0.1, fHz: 6, gain: 3 })).slice(7);
    louder.forEach((v, i) => {
      expect(v).toBeCloseTo(af[i] ?? NaN, 12);
    });
    // Linear in the f-wave amplitude (the QRS amplitude barely moves): 0.2 mV reads about double.
    const twice = residualAfter(regularEcg({ pMv: 0, fMv: 0.2, fHz: 6 })).slice(7);
    twice.forEach((v, i) => {
      expect((v ?? NaN) / (af[i] ?? NaN)).toBeGreaterThan(1.8);
      expect((v ?? NaN) / (af[i] ?? NaN)).toBeLessThan(2.05);
    });
  });

  it('average-beat residual: the previous T wave at irregular RR cancels, f waves stay', () => {
    // Sinus arrhythmia: RR 0.5 to 1.1 s in a fixed order, each T wave 300 ms after its own R
    // (as in real ECGs): the pre-QRS segments of the short RR hold the previous T wave's tail.
    const { peaks, n, make } = irregularEcg(36);
    // Fed as the monitor does: each beat with the samples from 1 s before the previous beat to
    // 1 s after it (the monitor keeps no more).
    const residuals = (ecg: Float64Array, residualMethod: 'pre-qrs' | 'average-beat') => {
      const t = createAtrialActivityTracker({ ...ALL_BEATS, residualMethod });
      const out: number[] = [];
      peaks.forEach((p, i) => {
        const from = Math.max(0, (peaks[i - 1] ?? p) - FS);
        t.push(ecg.subarray(from, Math.min(n, p + FS)), from, p, true);
        const v = t.atrialResidual;
        if (i >= 12 && v !== null) out.push(v);
      });
      return out;
    };
    const sinusAbs = residuals(make(0.15, 0), 'average-beat');
    const sinusPre = residuals(make(0.15, 0), 'pre-qrs');
    const afAbs = residuals(make(0, 0.06), 'average-beat');
    expect(sinusAbs.length).toBe(24);
    // The pre-QRS residual reads the moving T wave (0.022 to 0.028, near the f waves' 0.03);
    // after QRST cancellation what is left (0.003 to 0.008) is the P wave of the shortest RR,
    // which falls in the previous beat's T-wave window.
    expect(Math.max(...sinusAbs)).toBeLessThan(0.01);
    expect(Math.min(...sinusPre)).toBeGreaterThan(2.5 * Math.max(...sinusAbs));
    // 0.06 mV at 6 Hz over a 1.2 mV QRS: about 0.06 / (√2 · 1.2) · 0.85 = 0.030.
    for (const v of afAbs) {
      expect(v).toBeGreaterThan(0.022);
      expect(v).toBeLessThan(0.036);
    }
  });

  it('atrial spectrum: 6 Hz f waves read as a 6 Hz dominant frequency, sinus P waves as none', () => {
    const { peaks, n, make } = irregularEcg(30);
    const spectra = (
      ecg: Float64Array,
      spectrum: boolean,
      spectrumOptions?: { bandLowHz?: number; bandHighHz?: number; whiten?: boolean },
    ) => {
      const t = createAtrialActivityTracker({
        ...ALL_BEATS,
        spectrum,
        ...(spectrumOptions ? { spectrumOptions } : {}),
      });
      const out: ({ dominantFrequencyHz: number; concentration: number } | null)[] = [];
      peaks.forEach((p, i) => {
        const from = Math.max(0, (peaks[i - 1] ?? p) - FS);
        t.push(ecg.subarray(from, Math.min(n, p + FS)), from, p, true);
        if (i >= 12) out.push(t.atrialSpectrum);
      });
      return out;
    };
    const af = spectra(make(0, 0.06, 0.002), true);
    expect(af.length).toBe(18);
    for (const s of af) {
      expect(s?.dominantFrequencyHz ?? 0).toBeGreaterThanOrEqual(5.75);
      expect(s?.dominantFrequencyHz ?? 0).toBeLessThanOrEqual(6.25);
      expect(s?.concentration ?? 0).toBeGreaterThan(0.6);
    }
    // Sinus P waves cancel with their beats: what is left has no peak (a fraction of the f waves').
    const sinus = spectra(make(0.15, 0, 0.002), true);
    for (const s of sinus) expect(s?.concentration ?? 1).toBeLessThan(0.5);
    // Not measured unless asked for.
    expect(spectra(make(0, 0.06, 0.002), false).every((s) => s === null)).toBe(true);
    // Pre-whitened (spectrumOptions), over 3 – 12 Hz and over the 4 – 9 Hz band of f waves: the
    // f waves stay at 6 Hz and concentrated, the sinus residual stays near the white-noise share
    // ((2 · 1 + 0.25) / band width: 0.24 over 3 – 12 Hz, 0.43 over 4 – 9 Hz).
    for (const [o, sinusMax, afMin] of [
      [{ whiten: true }, 0.45, 0.6],
      [{ whiten: true, bandLowHz: 4, bandHighHz: 9 }, 0.62, 0.7],
    ] as const) {
      for (const s of spectra(make(0, 0.06, 0.002), true, o)) {
        expect(s?.dominantFrequencyHz ?? 0).toBeGreaterThanOrEqual(5.75);
        expect(s?.dominantFrequencyHz ?? 0).toBeLessThanOrEqual(6.25);
        expect(s?.concentration ?? 0).toBeGreaterThan(afMin);
      }
      for (const s of spectra(make(0.15, 0, 0.002), true, o))
        expect(s?.concentration ?? 1).toBeLessThan(sinusMax);
    }
    expect(() =>
      createAtrialActivityTracker({ fs: FS, spectrumOptions: { bandHighHz: 200 } }),
    ).toThrow(SignalInputError);
  });

  it('gives no atrial residual when no beat has its QRS in the supplied samples', () => {
    const t = createAtrialActivityTracker({ fs: FS, beats: 2 });
    const x = new Float64Array(1000).fill(0.1);
    // Each P region (330 to 70 ms before the peak) is in x, the 50 ms after the peak is not.
    t.push(x, 0, 995, true);
    t.push(x, 0, 998, true);
    expect(t.coherence).not.toBeNull();
    expect(t.atrialResidual).toBeNull();
  });

  it('reports no score when the recent beats were not eligible', () => {
    const t = createAtrialActivityTracker({ fs: FS, beats: 4 });
    const rec = synth('sinus', 20, 6);
    const peaks = rec.peaks.filter((p) => p > FS);
    for (const p of peaks.slice(0, 6)) t.push(rec.ecg, 0, p, true, true);
    expect(t.coherence).not.toBeNull();
    // 8 = 2 × beats ventricular beats later the evidence is stale.
    for (const p of peaks.slice(6, 14)) t.push(rec.ecg, 0, p, false);
    expect(t.coherence).toBeNull();
    expect(t.templateCorrelation).toBeNull();
  });

  it('skips a beat whose P region is not in the supplied samples', () => {
    const t = createAtrialActivityTracker({ fs: FS, beats: 2 });
    const x = new Float64Array(1000).fill(0.1);
    expect(t.push(x, 500, 520, true)).toBeNull();
    expect(t.push(x, 0, 400, true)).toBeNull();
  });

  it('rejects a missing sampling rate, a segment that ends before it starts and a QRS span of 0 ms', () => {
    expect(() => createAtrialActivityTracker({ fs: 0 })).toThrow(SignalInputError);
    expect(() =>
      createAtrialActivityTracker({ fs: FS, segmentStartMs: 50, segmentEndMs: 70 }),
    ).toThrow(/segmentStartMs/);
    expect(() => createAtrialActivityTracker({ fs: FS, beats: 1 })).toThrow(/beats/);
    expect(() => createAtrialActivityTracker({ fs: FS, qrsHalfWidthMs: 0 })).toThrow(
      /qrsHalfWidthMs/,
    );
    expect(() => createAtrialActivityTracker({ fs: FS, qrsHalfWidthMs: NaN })).toThrow(
      /qrsHalfWidthMs/,
    );
  });
});
