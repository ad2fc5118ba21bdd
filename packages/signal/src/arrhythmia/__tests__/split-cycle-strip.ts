export interface SplitCycleStrip {
  /** Detections (sample indices), the odd ones included. */
  peaks: number[];
  /** Indices into `peaks` of the detections of each event, in the order of the doc below. */
  events: number[][];
  /** The signal (mV): detections in `odd` a wide negative deflection (-0.6 mV, sigma 40 ms). */
  ecg: Float64Array;
}

/**
 * Detections at 75 bpm (RR 0.8 s, narrow QRS of 1 mV, sigma 10 ms) at `fs` Hz with four events
 * (tests of the split-cycle rule, `svebSplitCycleMin`), each a list of (interval from the
 * detection before in s, odd shape):
 * 0. after beat 20, an odd detection 0.5 s after the beat and the normal beat 0.3 s after it: a
 *    T wave or artefact taken for a beat, splitting one cycle (0.5 + 0.3 = 0.8 s);
 * 1. after beat 40, an odd (aberrated) premature beat at 0.5 s and the normal beat 0.9 s after
 *    it: an atrial premature beat and its non-compensatory pause (1.75 cycles);
 * 2. after beat 60, a run of three odd beats 0.45 s apart, then the normal beat 0.9 s after the
 *    last: a run of aberrated atrial premature beats;
 * 3. after beat 80, a normal-shape detection at 0.5 s and the normal beat 0.3 s after it.
 */
export function splitCycleStrip(fs: number): SplitCycleStrip {
  const plan = new Map<number, [number, boolean][]>([
    [
      20,
      [
        [0.5, true],
        [0.3, false],
      ],
    ],
    [
      40,
      [
        [0.5, true],
        [0.9, false],
      ],
    ],
    [
      60,
      [
        [0.45, true],
        [0.45, true],
        [0.45, true],
        [0.9, false],
      ],
    ],
    [
      80,
      [
        [0.5, false],
        [0.3, false],
      ],
    ],
  ]);
  const peaks: number[] = [fs];
  const odd = new Set<number>();
  const events: number[][] = [];
  for (let k = 1; k <= 100; k++) {
    const steps = plan.get(k) ?? [[0.8, false]];
    const at: number[] = [];
    for (const [dt, isOdd] of steps) {
      if (isOdd) odd.add(peaks.length);
      at.push(peaks.length);
      peaks.push((peaks.at(-1) ?? 0) + Math.round(dt * fs));
    }
    if (plan.has(k)) events.push(at.slice(0, -1));
  }
  const ecg = new Float64Array((peaks.at(-1) ?? 0) + 2 * fs);
  const half = Math.round((80 / 360) * fs);
  peaks.forEach((r, k) => {
    const [amplitude, sigma] = odd.has(k) ? [-0.6, 0.04] : [1, 0.01];
    for (let i = Math.max(0, r - half); i < r + half; i++) {
      ecg[i] = (ecg[i] ?? 0) + amplitude * Math.exp(-0.5 * ((i - r) / (sigma * fs)) ** 2);
    }
  });
  return { peaks, events, ecg };
}
