import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { createEcgSynth } from './create-ecg-synth.js';
import { createRng } from './create-rng.js';
import { createRrProcess } from './create-rr-process.js';
import { ecgsyn } from './ecgsyn.js';
import { qrsDelineate } from '../ecg/qrs-delineate.js';

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function std(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

/** Power of a uniformly sampled series at frequency `f` (Hz), by direct DFT. */
function powerAt(x: Float64Array, fs: number, f: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < x.length; n++) {
    const angle = (2 * Math.PI * f * n) / fs;
    re += (x[n] ?? 0) * Math.cos(angle);
    im -= (x[n] ?? 0) * Math.sin(angle);
  }
  return (re * re + im * im) / x.length;
}

describe('ecgsyn', () => {
  it.each([45, 72, 135])('gives a mean RR within 1%% of the requested %i bpm', (bpm) => {
    const { beats } = ecgsyn({ fs: 250, durationS: 300, heartRateBpm: bpm, seed: 11 });
    const rr = beats.flatMap((b) => (b.rrMs === null ? [] : [b.rrMs]));
    expect(Math.abs(mean(rr) - 60_000 / bpm) / (60_000 / bpm)).toBeLessThan(0.01);
  });

  it('puts the waveform maximum of every beat within one sample of the scheduled R peak', () => {
    const { ecgMv, rPeaks, fs } = ecgsyn({ fs: 360, durationS: 60, heartRateBpm: 80, seed: 3 });
    const halfWindow = Math.round(0.15 * fs);
    let checked = 0;
    for (const peak of rPeaks) {
      if (peak < halfWindow || peak + halfWindow >= ecgMv.length) continue;
      let best = peak;
      for (let k = peak - halfWindow; k <= peak + halfWindow; k++) {
        if ((ecgMv[k] ?? -Infinity) > (ecgMv[best] ?? -Infinity)) best = k;
      }
      expect(Math.abs(best - peak)).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(70);
  });

  it.each([60, 100, 140, 160])(
    'keeps the P wave apart from the QRS at %i bpm: qrsDelineate reads the same narrow QRS',
    (bpm) => {
      // ecgsyn.c's P angle (−70°·√f of the cycle) put P 103 ms before R at 140 bpm: the QRS
      // onset was found in the P wave and a QRS of about 80 ms read 150 ms.
      for (const fs of [250, 360]) {
        const { ecgMv, rPeaks } = ecgsyn({ fs, durationS: 30, heartRateBpm: bpm, seed: 4 });
        const peaks = rPeaks.filter((p) => p > fs && p < ecgMv.length - fs);
        const widths = Array.from(qrsDelineate(ecgMv, fs, peaks).durationMs).sort((a, b) => a - b);
        const medianMs = widths[widths.length >> 1] ?? NaN;
        expect(medianMs).toBeGreaterThanOrEqual(90);
        expect(medianMs).toBeLessThanOrEqual(106);
      }
    },
  );

  it('scales a noise-free beat to ECGSYN amplitudes: R about 1.2 mV, isoelectric near 0 mV', () => {
    const { ecgMv, rPeaks } = ecgsyn({ fs: 250, durationS: 20, heartRateStdBpm: 0, seed: 2 });
    const r = rPeaks[5] ?? 0;
    expect(ecgMv[r]).toBeGreaterThan(1.0);
    expect(ecgMv[r]).toBeLessThan(1.5);
    // 0.45 RR before R lies in the TP segment at 60 bpm.
    expect(Math.abs(ecgMv[r - Math.round(0.45 * 250)] ?? 1)).toBeLessThan(0.05);
  });

  it('produces the same samples whatever the chunking of the stream', () => {
    const options = { fs: 250, heartRateBpm: 95, pvcProbability: 0.2, noiseMv: 0.02, seed: 9 };
    const whole = createEcgSynth(options).next(2500);
    const chunked = createEcgSynth(options);
    const parts: number[] = [];
    for (const size of [1, 249, 250, 333, 667, 1000]) parts.push(...chunked.next(size));
    expect(Float64Array.from(parts)).toEqual(whole);
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const a = ecgsyn({ fs: 250, durationS: 10, seed: 5 }).ecgMv;
    const b = ecgsyn({ fs: 250, durationS: 10, seed: 5 }).ecgMv;
    const c = ecgsyn({ fs: 250, durationS: 10, seed: 6 }).ecgMv;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('has RR spectral peaks at the requested LF and HF frequencies with the requested ratio', () => {
    const lfHfRatio = 2;
    const { beats } = ecgsyn({
      fs: 250,
      durationS: 1024,
      heartRateBpm: 70,
      heartRateStdBpm: 3,
      lfHfRatio,
      lfFrequencyHz: 0.1,
      hfFrequencyHz: 0.25,
      seed: 21,
    });
    // Tachogram resampled at 4 Hz by linear interpolation between beat times (Task Force 1996).
    const points = beats.flatMap((b) => (b.rrMs === null ? [] : [{ t: b.timeS, rr: b.rrMs }]));
    const fsT = 4;
    const first = points[0]?.t ?? 0;
    const n = Math.floor(((points.at(-1)?.t ?? 0) - first) * fsT);
    const tachogram = new Float64Array(n);
    let j = 0;
    for (let i = 0; i < n; i++) {
      const t = first + i / fsT;
      while ((points[j + 1]?.t ?? Infinity) < t) j++;
      const p = points[j];
      const q = points[j + 1] ?? p;
      if (p === undefined || q === undefined) continue;
      const w = q.t === p.t ? 0 : (t - p.t) / (q.t - p.t);
      tachogram[i] = p.rr + w * (q.rr - p.rr);
    }
    const m = mean([...tachogram]);
    for (let i = 0; i < n; i++) tachogram[i] = (tachogram[i] ?? 0) - m;
    const grid = (from: number, to: number): number[] => {
      const out: number[] = [];
      for (let f = from; f <= to + 1e-9; f += 0.005) out.push(f);
      return out;
    };
    const argmax = (freqs: number[]): { f: number; band: number } => {
      let bestF = 0;
      let best = -Infinity;
      let band = 0;
      for (const f of freqs) {
        const p = powerAt(tachogram, fsT, f);
        band += p;
        if (p > best) {
          best = p;
          bestF = f;
        }
      }
      return { f: bestF, band };
    };
    const lf = argmax(grid(0.04, 0.15));
    const hf = argmax(grid(0.15, 0.4));
    expect(lf.f).toBeCloseTo(0.1, 1);
    expect(Math.abs(lf.f - 0.1)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(hf.f - 0.25)).toBeLessThanOrEqual(0.02);
    // Band powers follow the requested ratio; tolerance for a single 17-minute realisation.
    expect(lf.band / hf.band).toBeGreaterThan(lfHfRatio * 0.6);
    expect(lf.band / hf.band).toBeLessThan(lfHfRatio * 1.6);
  });

  it('makes AF RR intervals irregular and sinus RR regular', () => {
    const cv = (rhythm: 'sinus' | 'af'): number => {
      const { beats } = ecgsyn({ fs: 250, durationS: 120, heartRateBpm: 100, rhythm, seed: 4 });
      const rr = beats.flatMap((b) => (b.rrMs === null ? [] : [b.rrMs]));
      return std(rr) / mean(rr);
    };
    expect(cv('af')).toBeGreaterThan(0.12);
    expect(cv('sinus')).toBeLessThan(0.03);
  });

  it('inserts PVCs with a short coupling interval and a full compensatory pause', () => {
    const { beats } = ecgsyn({
      fs: 250,
      durationS: 120,
      heartRateBpm: 75,
      heartRateStdBpm: 0.5,
      pvcProbability: 0.2,
      seed: 8,
    });
    let pvcs = 0;
    beats.forEach((beat, i) => {
      const before = beats[i - 1];
      const after = beats[i + 1];
      if (beat.kind !== 'V' || before?.rrMs == null || beat.rrMs === null || !after?.rrMs) return;
      pvcs++;
      expect(beat.rrMs).toBeLessThan(0.7 * 800);
      // Coupling + pause = two sinus cycles (800 ms each at 75 bpm), within the HRV.
      expect(Math.abs(beat.rrMs + after.rrMs - 1600)).toBeLessThan(60);
      expect(after.kind).toBe('N');
    });
    expect(pvcs).toBeGreaterThan(10);
  });

  it('draws PVCs wider than sinus beats', () => {
    const fs = 500;
    const { ecgMv, beats } = ecgsyn({
      fs,
      durationS: 60,
      heartRateBpm: 70,
      pvcProbability: 0.3,
      seed: 12,
    });
    // QRS width as the span, within ±120 ms of R, where |slope| exceeds 20% of its maximum there.
    const width = (sample: number): number => {
      const half = Math.round(0.12 * fs);
      const slopes: number[] = [];
      for (let k = sample - half; k < sample + half; k++) {
        slopes.push(Math.abs((ecgMv[k + 1] ?? 0) - (ecgMv[k] ?? 0)));
      }
      const threshold = 0.2 * Math.max(...slopes);
      const first = slopes.findIndex((v) => v > threshold);
      const last = slopes.findLastIndex((v) => v > threshold);
      return ((last - first) / fs) * 1000;
    };
    const inner = beats.filter((b) => b.sample > fs && b.sample < ecgMv.length - fs);
    const normal = mean(inner.filter((b) => b.kind === 'N').map((b) => width(b.sample)));
    const pvc = mean(inner.filter((b) => b.kind === 'V').map((b) => width(b.sample)));
    expect(pvc).toBeGreaterThan(normal * 1.4);
  });

  it('rejects a missing duration and an out-of-range rate with the field named', () => {
    expect(() => ecgsyn({ fs: 250, durationS: 0 })).toThrow(SignalInputError);
    try {
      ecgsyn({ fs: 250, durationS: 10, heartRateBpm: 400 });
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTION', field: 'options.heartRateBpm' });
    }
    expect(() => ecgsyn({ fs: 0, durationS: 10 })).toThrow(/fs/);
  });
});

describe('createRrProcess', () => {
  it('has the requested mean and ECGSYN standard deviation (60·hrstd/hr²)', () => {
    const process = createRrProcess({ heartRateBpm: 80, heartRateStdBpm: 2, seed: 1 });
    const samples: number[] = [];
    for (let t = 0; t < 1024; t += 0.25) samples.push(process.rrAt(t));
    expect(mean(samples)).toBeCloseTo(0.75, 3);
    expect(std(samples)).toBeCloseTo((60 * 2) / 6400, 3);
  });
});

describe('createRng', () => {
  it('gives uniform values in [0, 1) with mean 1/2 and normals with unit variance', () => {
    const rng = createRng(42);
    const u = Array.from({ length: 20_000 }, () => rng.uniform());
    const z = Array.from({ length: 20_000 }, () => rng.normal());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(mean(z)).toBeCloseTo(0, 1);
    expect(std(z)).toBeCloseTo(1, 1);
  });
});
