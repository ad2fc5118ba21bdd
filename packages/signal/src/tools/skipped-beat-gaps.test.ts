import { describe, expect, it } from 'vitest';
import { ecgsyn } from '../synth/ecgsyn.js';
import { skippedBeatGaps } from './skipped-beat-gaps.js';

const fs = 250;
const synth = ecgsyn({ fs, durationS: 20, heartRateBpm: 75, seed: 2 });
const beats = Array.from(synth.rPeaks);

describe('skippedBeatGaps', () => {
  it('finds nothing when every beat is detected', () => {
    expect(skippedBeatGaps(synth.ecgMv, beats, { fs })).toEqual([]);
  });

  it('finds the interval around one undetected beat, with a QRS-sized peak in it', () => {
    const detected = beats.filter((_, i) => i !== 10);
    const gaps = skippedBeatGaps(synth.ecgMv, detected, { fs });
    expect(gaps).toHaveLength(1);
    expect(gaps[0]?.startSample).toBe(beats[9]);
    expect(gaps[0]?.endSample).toBe(beats[11]);
    expect(gaps[0]?.peakRatio).toBeGreaterThan(0.8);
  });

  it('does not count a pause that holds no QRS', () => {
    // The beat removed from the detection and from the signal (a flat line over it).
    const x = Float64Array.from(synth.ecgMv);
    const a = (beats[9] ?? 0) + Math.round(0.4 * fs);
    const b = (beats[11] ?? 0) - Math.round(0.3 * fs);
    x.fill(x[a] ?? 0, a, b);
    expect(
      skippedBeatGaps(
        x,
        beats.filter((_, i) => i !== 10),
        { fs },
      ),
    ).toEqual([]);
  });
});
