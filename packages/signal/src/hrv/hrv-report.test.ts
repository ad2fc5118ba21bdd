import { describe, expect, it } from 'vitest';
import { detectQrs } from '../ecg/detect-qrs.js';
import { SignalInputError } from '../errors.js';
import { createRrProcess } from '../synth/create-rr-process.js';
import { ecgsyn } from '../synth/ecgsyn.js';
import { hrvFrequencyDomain } from './hrv-frequency-domain.js';
import { hrvReport } from './hrv-report.js';

describe('hrvReport', () => {
  it('gives the HRV of the generated beats from a synthetic ECG, end to end through detectQrs', () => {
    // ECGSYN (McSharry et al. 2003): RR process with LF 0.1 Hz / HF 0.25 Hz, LF/HF = 0.5,
    // 5 minutes at 250 Hz, light noise.
    const fs = 250;
    const synth = ecgsyn({
      fs,
      durationS: 300,
      heartRateBpm: 65,
      heartRateStdBpm: 3,
      lfHfRatio: 0.5,
      noiseMv: 0.01,
      seed: 21,
    });
    const truth = hrvReport(synth.rPeaks, fs);
    const detected = hrvReport(detectQrs(synth.ecgMv, { fs }), fs);
    expect(detected.nBeats).toBe(synth.rPeaks.length);
    const t = truth.timeDomain;
    const d = detected.timeDomain;
    if (t === null || d === null) throw new Error('time domain missing');
    expect(Math.abs(d.meanNnMs - t.meanNnMs)).toBeLessThan(0.5);
    // detectQrs places the fiducial point of this smooth synthetic QRS 20–24 ms before the apex,
    // now and then 12 ms after it; that jitter inflates beat-to-beat variability (measured SDNN
    // 53.4 vs 49.8 ms, RMSSD 66.7 vs 60.5 ms). On MIT-BIH the same comparison differs by a median
    // 1 ms (bench:hrv, det vs ref20). The bounds catch a worse fiducial point.
    expect(Math.abs(d.sdnnMs - t.sdnnMs)).toBeLessThan(8);
    expect(Math.abs(d.rmssdMs - t.rmssdMs)).toBeLessThan(12);
    expect(t.hrMeanBpm).toBeGreaterThan(63);
    expect(t.hrMeanBpm).toBeLessThan(67);
    const tf = truth.frequencyDomain;
    const df = detected.frequencyDomain;
    if (tf === null || df === null) throw new Error('frequency domain missing');
    // The generated spectrum has its peaks at 0.1 and 0.25 Hz. (Its LF/HF is 0.5 only on
    // average: over these 5 minutes this realisation gives 0.22, see the long-run test below.)
    expect(tf.lfPeakHz).toBeGreaterThan(0.09);
    expect(tf.lfPeakHz).toBeLessThan(0.11);
    expect(tf.hfPeakHz).toBeGreaterThan(0.24);
    expect(tf.hfPeakHz).toBeLessThan(0.26);
    expect(Math.abs(df.lfPeakHz - tf.lfPeakHz)).toBeLessThan(0.005);
    expect(Math.abs(df.lfHfRatio - tf.lfHfRatio)).toBeLessThan(0.1);
  });

  it('recovers the LF/HF ratio of the McSharry RR process over a long run', () => {
    // 3000 s of the ECGSYN RR process (LF/HF power ratio 0.5 by construction), sampled at 2 Hz.
    for (const seed of [1, 2]) {
      const rr = createRrProcess({ heartRateBpm: 65, heartRateStdBpm: 3, lfHfRatio: 0.5, seed });
      const n = 6000;
      const nn = Float64Array.from({ length: n }, (_, i) => rr.rrAt(i / 2) * 1000);
      const times = Float64Array.from({ length: n }, (_, i) => 500 * (i + 1));
      const f = hrvFrequencyDomain(nn, times, { maxFrequencies: 20_000 });
      expect(f.lfHfRatio).toBeGreaterThan(0.47);
      expect(f.lfHfRatio).toBeLessThan(0.53);
      // total power = variance of the process: (60·3/65²)² s² = 1.815e3 ms², all within 0–0.4 Hz
      expect(f.totalMs2 / ((60000 * 3) / 65 ** 2) ** 2).toBeGreaterThan(0.97);
      expect(f.totalMs2 / ((60000 * 3) / 65 ** 2) ** 2).toBeLessThan(1.03);
    }
  });

  it('leaves sections it cannot compute null, with a note, instead of throwing', () => {
    const r = hrvReport([0, 250, 500], 250);
    expect(r.timeDomain).not.toBeNull();
    expect(r.frequencyDomain).toBeNull();
    expect(r.poincare).toBeNull();
    expect(r.notes.some((n) => n.startsWith('frequencyDomain:'))).toBe(true);
    const empty = hrvReport([], 250);
    expect(empty.timeDomain).toBeNull();
    expect(empty.rrAll).toBeNull();
    expect(empty.nBeats).toBe(0);
  });

  it('still rejects invalid beats and sampling rates', () => {
    expect(() => hrvReport([5, 1], 250)).toThrow(SignalInputError);
    expect(() => hrvReport([1, 5], 0)).toThrow(SignalInputError);
  });
});
