import type { BeatModel } from '../beat-model.js';
import { BEAT_FEATURE_NAMES } from '../create-beat-feature-extractor.js';
import { constantBeatModel } from './constant-beat-model.js';

/** SVEB when preRR/localRR < `limit` (a steep tanh step), N otherwise; VEB and F near 0. */
export function prematureModel(limit = 0.92): BeatModel {
  const m = constantBeatModel([0.5, 0.5, 1e-4, 1e-4]);
  const w1 = new Array<number>(BEAT_FEATURE_NAMES.length).fill(0);
  w1[BEAT_FEATURE_NAMES.indexOf('preRR/localRR')] = -40;
  return { ...m, w1, b1: [40 * limit], w2: [-6, 6, 0, 0] };
}

export interface OddDetectionStrip {
  /** Detections (sample indices), the odd ones included. */
  peaks: number[];
  /** Indices into `peaks` of the three odd detections. */
  oddAt: number[];
  /** The signal (mV) with the detections in `odd` given the odd shape, the others narrow. */
  ecg: (odd: ReadonlySet<number>) => Float64Array;
}

/**
 * 75 detections at 75 bpm (RR 0.8 s, narrow QRS) at `fs` Hz (tests of the odd-detection rule,
 * `svebOddCycleMin`). Three times an odd detection (with `ecg(new Set(oddAt))` a wide negative
 * deflection, -0.6 mV, sigma 40 ms: unlike the template) splits the cycle, and the next beat, of
 * the normal shape, comes `second` s after it: at beat 20 (0.5 s + 0.3 s = one cycle: a false
 * detection and the on-time sinus beat), at 40 (0.5 s + 0.6 s = 1.375 cycles: a ventricular beat
 * then an atrial premature beat) and at 60 (0.35 s + 0.35 s = 0.875 cycle: premature even
 * counted from the beat before).
 */
export function oddDetectionStrip(fs: number): OddDetectionStrip {
  const events = new Map([
    [20, [0.5, 0.3]],
    [40, [0.5, 0.6]],
    [60, [0.35, 0.35]],
  ]);
  const peaks: number[] = [fs];
  const oddAt: number[] = [];
  for (let k = 1; peaks.length < 75; k++) {
    const last = peaks.at(-1) ?? 0;
    const split = events.get(k);
    if (split === undefined) {
      peaks.push(last + Math.round(0.8 * fs));
      continue;
    }
    oddAt.push(peaks.length);
    peaks.push(last + Math.round((split[0] ?? 0) * fs));
    peaks.push(last + Math.round(((split[0] ?? 0) + (split[1] ?? 0)) * fs));
  }
  const ecg = (odd: ReadonlySet<number>): Float64Array => {
    const x = new Float64Array((peaks.at(-1) ?? 0) + 2 * fs);
    peaks.forEach((r, k) => {
      const [amplitude, sigma] = odd.has(k) ? [-0.6, 0.04] : [1, 0.01];
      const half = Math.round((80 / 360) * fs);
      for (let i = Math.max(0, r - half); i < r + half; i++) {
        x[i] = (x[i] ?? 0) + amplitude * Math.exp(-0.5 * ((i - r) / (sigma * fs)) ** 2);
      }
    });
    return x;
  };
  return { peaks, oddAt, ecg };
}
