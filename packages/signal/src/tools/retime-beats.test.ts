import { describe, expect, it } from 'vitest';
import { createRng } from '../synth/create-rng.js';
import { retimeBeats } from './retime-beats.js';

const FS = 250;

/**
 * A source record: 60 beats every 0.8 s, every `every`-th one (from the `every`-th) a premature
 * beat of class `label` 0.5 s after the beat before it. Sinus beats are a 1-mV spike, premature
 * beats a spike of `amplitudeMv`, so copies are told apart.
 */
function spikeSource(
  every: number,
  label: number,
  amplitudeMv: number,
): { ecg: Float64Array; peaks: number[]; labels: number[] } {
  const peaks: number[] = [];
  const labels: number[] = [];
  let t = FS;
  for (let k = 0; k < 60; k++) {
    const premature = k % every === every - 1;
    t += Math.round((premature ? 0.5 : 0.8) * FS);
    peaks.push(t);
    labels.push(premature ? label : 0);
  }
  const ecg = new Float64Array(t + 2 * FS);
  peaks.forEach((p, k) => {
    ecg[p] = labels[k] === label ? amplitudeMv : 1;
  });
  return { ecg, peaks, labels };
}

/** Every fourth beat an SVEB (class 1, 2-mV spike). */
const source = (): ReturnType<typeof spikeSource> => spikeSource(4, 1, 2);

/** Every fifth beat a VEB (class 2, 3-mV spike). */
const vebSource = (): ReturnType<typeof spikeSource> => spikeSource(5, 2, 3);

/** RRs (s) of a re-timed output. */
function rrOf(peaks: Int32Array): number[] {
  const rr: number[] = [];
  for (let k = 1; k < peaks.length; k++) rr.push(((peaks[k] ?? 0) - (peaks[k - 1] ?? 0)) / FS);
  return rr;
}

describe('retimeBeats', () => {
  it('places copies of the real beats at the new R peaks, SVEB copies where labels say SVEB', () => {
    const { ecg, peaks, labels } = source();
    const out = retimeBeats(ecg, peaks, labels, { fs: FS, rng: createRng(1), cycleS: 1.2 });
    expect(out).not.toBeNull();
    if (out === null) return;
    expect(out.peaks.length).toBe(out.labels.length);
    out.peaks.forEach((p, k) => {
      // The spike survives the baseline correction (flat edges) and the 40-ms tapers.
      expect(out.ecgMv[p]).toBeCloseTo(out.labels[k] === 1 ? 2 : 1, 9);
    });
  });

  it('times premature beats at the coupling range and sinus beats after a pause or a cycle', () => {
    const { ecg, peaks, labels } = source();
    const out = retimeBeats(ecg, peaks, labels, {
      fs: FS,
      rng: createRng(2),
      cycleS: 1.2,
      durationS: 600,
    });
    if (out === null) throw new Error('no output');
    for (let k = 1; k < out.peaks.length; k++) {
      const rr = ((out.peaks[k] ?? 0) - (out.peaks[k - 1] ?? 0)) / FS;
      if (out.labels[k] === 1) {
        // Coupling 0.65-0.8 of the 1.2-s cycle (± one sample of rounding).
        expect(rr).toBeGreaterThanOrEqual(0.78 - 0.008);
        expect(rr).toBeLessThanOrEqual(0.96 + 0.008);
      } else if (out.labels[k - 1] === 1) {
        // The pause after a run: 1.0-2.5 cycles.
        expect(rr).toBeGreaterThanOrEqual(1.2 - 0.008);
        expect(rr).toBeLessThanOrEqual(3.0 + 0.008);
      } else {
        // Two sinus beats in a row: the cycle ± 5 %.
        expect(rr).toBeGreaterThanOrEqual(1.14 - 0.008);
        expect(rr).toBeLessThanOrEqual(1.26 + 0.008);
      }
    }
  });

  it('makes SVEBs the given share of the beats, in expectation', () => {
    const { ecg, peaks, labels } = source();
    for (const svebShare of [0.3, 0.75]) {
      const out = retimeBeats(ecg, peaks, labels, {
        fs: FS,
        rng: createRng(3),
        cycleS: 1,
        svebShare,
        durationS: 3600,
      });
      if (out === null) throw new Error('no output');
      const share = out.labels.reduce((s, l) => s + l, 0) / out.labels.length;
      // Some 3,000 to 4,500 beats: the share's standard error is about 0.01 to 0.02 (runs).
      expect(Math.abs(share - svebShare)).toBeLessThan(0.05);
    }
  });

  it('gives the same record for the same seed', () => {
    const { ecg, peaks, labels } = source();
    const a = retimeBeats(ecg, peaks, labels, { fs: FS, rng: createRng(9), cycleS: 1 });
    const b = retimeBeats(ecg, peaks, labels, { fs: FS, rng: createRng(9), cycleS: 1 });
    expect(b?.peaks).toEqual(a?.peaks);
    expect(b?.ecgMv).toEqual(a?.ecgMv);
  });

  it('returns null for a source with fewer than 5 SVEBs', () => {
    const { ecg, peaks } = source();
    const labels = peaks.map((_, k) => (k === 3 || k === 7 ? 1 : 0));
    expect(retimeBeats(ecg, peaks, labels, { fs: FS, rng: createRng(1), cycleS: 1 })).toBeNull();
  });

  it('swings the sinus RR by ± depth with breathing, gradually, with no premature beat', () => {
    const { ecg, peaks } = source();
    const sinusOnly = peaks.map(() => 0);
    const out = retimeBeats(ecg, peaks, sinusOnly, {
      fs: FS,
      rng: createRng(4),
      cycleS: 1,
      svebShare: 0,
      durationS: 600,
      sinusArrhythmia: { depth: 0.15, periodS: 4 },
    });
    if (out === null) throw new Error('no output');
    expect(out.labels.every((l) => l === 0)).toBe(true);
    const rr: number[] = [];
    for (let k = 1; k < out.peaks.length; k++) {
      rr.push(((out.peaks[k] ?? 0) - (out.peaks[k - 1] ?? 0)) / FS);
    }
    // The cycle times 1 ± 0.15 (breath) times 1 ± 0.05 (jitter), ± one sample of rounding.
    expect(Math.min(...rr)).toBeGreaterThanOrEqual(0.85 * 0.95 - 0.008);
    expect(Math.max(...rr)).toBeLessThanOrEqual(1.15 * 1.05 + 0.008);
    // Over 600 s the breath reaches both ends: the RR spans more than the jitter alone could.
    expect(Math.min(...rr)).toBeLessThan(0.9);
    expect(Math.max(...rr)).toBeGreaterThan(1.1);
    // Gradual: successive RRs differ by at most the breath's step (2π · 0.15 · 1.15 s / 4 s,
    // about 0.27 of the cycle at the steepest) plus the jitter of the two, never by a pause.
    for (let k = 1; k < rr.length; k++) {
      expect(Math.abs((rr[k] ?? 0) - (rr[k - 1] ?? 0))).toBeLessThan(0.27 + 0.12 + 0.016);
    }
  });

  it('keeps a source without SVEBs when no SVEB is asked for', () => {
    const { ecg, peaks } = source();
    const sinusOnly = peaks.map(() => 0);
    const rng = createRng(5);
    expect(
      retimeBeats(ecg, peaks, sinusOnly, { fs: FS, rng, cycleS: 1, svebShare: 0 }),
    ).not.toBeNull();
    expect(
      retimeBeats(ecg, peaks, sinusOnly, { fs: FS, rng, cycleS: 1, svebShare: 0.3 }),
    ).toBeNull();
  });

  it('rejects a share of 1 and mismatched peaks and labels, naming the option', () => {
    const { ecg, peaks, labels } = source();
    const rng = createRng(1);
    expect(() => retimeBeats(ecg, peaks, labels, { fs: FS, rng, cycleS: 1, svebShare: 1 })).toThrow(
      /svebShare/,
    );
    expect(() => retimeBeats(ecg, peaks, labels.slice(1), { fs: FS, rng, cycleS: 1 })).toThrow(
      /labels/,
    );
    expect(() => retimeBeats(ecg, peaks, labels, { fs: FS, rng, cycleS: 0 })).toThrow(/cycleS/);
    expect(() =>
      retimeBeats(ecg, peaks, labels, {
        fs: FS,
        rng,
        cycleS: 1,
        sinusArrhythmia: { depth: 1, periodS: 4 },
      }),
    ).toThrow(/sinusArrhythmia.depth/);
  });

  it('times PVCs at 0.5-0.8 of the cycle with a full compensatory pause, isolated, VEB copies', () => {
    const { ecg, peaks, labels } = vebSource();
    const out = retimeBeats(ecg, peaks, labels, {
      fs: FS,
      rng: createRng(6),
      cycleS: 1,
      svebShare: 0,
      durationS: 900,
      ventricular: { share: 0.2 },
    });
    if (out === null) throw new Error('no output');
    const rr = rrOf(out.peaks);
    let vebs = 0;
    out.peaks.forEach((p, k) => {
      expect(out.ecgMv[p]).toBeCloseTo(out.labels[k] === 2 ? 3 : 1, 9);
    });
    for (let k = 1; k < out.peaks.length; k++) {
      const pre = rr[k - 1] ?? 0;
      if (out.labels[k] === 2) {
        vebs++;
        // Isolated, after a sinus beat; coupling 0.5-0.8 of the 1-s cycle (± one sample).
        expect(out.labels[k - 1]).toBe(0);
        expect(pre).toBeGreaterThanOrEqual(0.5 - 0.004);
        expect(pre).toBeLessThanOrEqual(0.8 + 0.004);
        const post = rr[k];
        if (post === undefined) continue;
        // Compensatory: the sinus beats around the PVC are two cycles (± 5 %) apart, so the pause
        // after it is 1.2 to 1.6 cycles.
        expect(pre + post).toBeGreaterThanOrEqual(1.9 - 0.008);
        expect(pre + post).toBeLessThanOrEqual(2.1 + 0.008);
        expect(post).toBeGreaterThanOrEqual(1.9 - 0.8 - 0.008);
      } else if (out.labels[k - 1] === 0) {
        // Two sinus beats in a row: the cycle ± 5 %.
        expect(pre).toBeGreaterThanOrEqual(0.95 - 0.008);
        expect(pre).toBeLessThanOrEqual(1.05 + 0.008);
      }
    }
    expect(out.labels.every((l) => l === 0 || l === 2)).toBe(true);
    // 20 % of some 750 beats: 150 expected, 2.5 standard errors either way.
    expect(vebs / out.labels.length).toBeGreaterThan(0.17);
    expect(vebs / out.labels.length).toBeLessThan(0.23);
  });

  it('makes random PVCs 10 % of the beats, and 1 in 3 (trigeminy) or 1 in 2 (bigeminy) with the regular pattern', () => {
    const { ecg, peaks, labels } = vebSource();
    const run = (share: number, pattern: 'random' | 'regular'): Int32Array => {
      const out = retimeBeats(ecg, peaks, labels, {
        fs: FS,
        rng: createRng(7),
        cycleS: 0.8,
        svebShare: 0,
        durationS: 3600,
        ventricular: { share, pattern },
      });
      if (out === null) throw new Error('no output');
      return out.labels;
    };
    const random = run(0.1, 'random');
    // Some 4,500 beats: the share's standard error is about 0.005.
    expect(
      Math.abs(random.reduce((s, l) => s + (l === 2 ? 1 : 0), 0) / random.length - 0.1),
    ).toBeLessThan(0.02);
    expect(Array.from(run(1 / 3, 'regular').subarray(0, 9))).toEqual([0, 0, 2, 0, 0, 2, 0, 0, 2]);
    expect(Array.from(run(0.5, 'regular').subarray(0, 6))).toEqual([0, 2, 0, 2, 0, 2]);
  });

  it('returns null for PVCs from a source with fewer than 5 VEBs, and rejects SVEBs with PVCs', () => {
    const { ecg, peaks } = vebSource();
    const rng = createRng(8);
    const fewVeb = peaks.map((_, k) => (k === 4 || k === 9 ? 2 : 0));
    const ventricular = { share: 0.2 };
    expect(
      retimeBeats(ecg, peaks, fewVeb, { fs: FS, rng, cycleS: 1, svebShare: 0, ventricular }),
    ).toBeNull();
    const { labels } = vebSource();
    expect(() => retimeBeats(ecg, peaks, labels, { fs: FS, rng, cycleS: 1, ventricular })).toThrow(
      /svebShare/,
    );
    expect(() =>
      retimeBeats(ecg, peaks, labels, {
        fs: FS,
        rng,
        cycleS: 1,
        svebShare: 0,
        ventricular: { share: 0.3, pattern: 'regular' },
      }),
    ).toThrow(/1\/k/);
    expect(() =>
      retimeBeats(ecg, peaks, labels, {
        fs: FS,
        rng,
        cycleS: 1,
        svebShare: 0,
        ventricular: { share: 0.6 },
      }),
    ).toThrow(/ventricular.share/);
  });
});
