import { describe, expect, it } from 'vitest';
import { referenceWindowBpm } from './reference-window-bpm.js';

/** A pulse at `bpmAt(t)` sampled at ~30 fps with ±3 ms jitter, as a camera-synchronised oximeter. */
function reference(seconds: number, bpmAt: (tS: number) => number) {
  const times: number[] = [];
  const ppg: number[] = [];
  let phase = 0;
  let t = 0;
  for (let i = 0; t < seconds * 1000; i++) {
    times.push(t);
    ppg.push(Math.sin(phase) + 0.3 * Math.sin(2 * phase + 1));
    const dt = 1000 / 30 + 3 * Math.sin(i * 1.7);
    phase += (2 * Math.PI * bpmAt(t / 1000) * dt) / 60000;
    t += dt;
  }
  return {
    timesMs: Float64Array.from(times),
    ppg: Float64Array.from(ppg),
    hrBpm: new Float64Array(times.length),
  };
}

describe('referenceWindowBpm', () => {
  it('reads a 72 bpm pulse with its harmonic as 72 bpm (±0.5) with a high SNR', () => {
    const result = referenceWindowBpm(
      reference(30, () => 72),
      10_000,
      20_000,
    );
    expect(result.bpm).toBeCloseTo(72, 0);
    expect(Math.abs(result.bpm - 72)).toBeLessThan(0.5);
    expect(result.snrDb).toBeGreaterThan(10);
  });

  it('reads only its own window: 60 bpm for 20 s then 90 bpm gives 60 early and 90 late', () => {
    const ref = reference(40, (t) => (t < 20 ? 60 : 90));
    expect(Math.abs(referenceWindowBpm(ref, 5_000, 15_000).bpm - 60)).toBeLessThan(0.5);
    expect(Math.abs(referenceWindowBpm(ref, 25_000, 35_000).bpm - 90)).toBeLessThan(0.5);
  });

  it('reads through a repeated sample time (a frame logged twice)', () => {
    const ref = reference(30, () => 84);
    ref.timesMs[300] = ref.timesMs[299] ?? 0;
    expect(Math.abs(referenceWindowBpm(ref, 5_000, 15_000).bpm - 84)).toBeLessThan(0.5);
  });

  it('refuses a window shorter than 4 s', () => {
    expect(() =>
      referenceWindowBpm(
        reference(10, () => 70),
        1000,
        3000,
      ),
    ).toThrow(/4 s/);
  });
});
