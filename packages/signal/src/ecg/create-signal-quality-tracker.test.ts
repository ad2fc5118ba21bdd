import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readWfdbRecord } from '../io/index.js';
import { ecgsyn } from '../synth/ecgsyn.js';
import { createSignalQualityTracker } from './create-signal-quality-tracker.js';
import { signalQuality } from './signal-quality.js';

const fixtures = join(import.meta.dirname, '../io/fixtures');

function gaussian(n: number, seed: number): Float64Array {
  let s = seed;
  const u = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Float64Array.from(
    { length: n },
    () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()),
  );
}

/** Feeds every 2 s block of `x`; returns the tracker's window and `signalQuality` of it. */
function compare(x: Float64Array, fs: number) {
  const tracker = createSignalQualityTracker({ fs });
  const block = 2 * fs;
  const out = [];
  for (let end = block; end <= x.length; end += block) {
    tracker.addBlock(x, end - block);
    const window = x.subarray(Math.max(0, end - 6 * block), end);
    out.push({
      tracked: tracker.window,
      current: tracker.current,
      reference: signalQuality(window, fs),
      blocks: Array.from({ length: Math.min(6, end / block) }, (_, j) =>
        signalQuality(window.subarray(j * block, (j + 1) * block), fs),
      ),
    });
  }
  return out;
}

describe('createSignalQualityTracker', () => {
  it('judges each 12 s window of real ECG as signalQuality does (records 119, 203, 208)', async () => {
    for (const name of ['119', '203', '208']) {
      const rec = await readWfdbRecord(join(fixtures, name));
      const ecg = rec.signals[0]?.physical ?? new Float64Array();
      const results = compare(ecg, rec.fs);
      expect(results).toHaveLength(10);
      for (const { tracked, reference } of results) {
        expect(tracked?.analysable).toBe(reference.analysable);
        expect(tracked?.reasons).toEqual(reference.reasons);
        const m = tracked?.metrics;
        const e = reference.metrics;
        // exact: flat windows, clipping; rounding only: kurtosis from power sums
        expect(m?.flatFraction).toBe(e.flatFraction);
        expect(m?.clippedFraction).toBe(e.clippedFraction);
        expect(Math.abs((m?.kurtosis ?? 0) - e.kurtosis) / e.kurtosis).toBeLessThan(1e-9);
        // Welch's average of 2 s periodograms against the 12 s periodogram
        expect(Math.abs((m?.hfRatio ?? 0) - e.hfRatio)).toBeLessThan(0.05);
        expect(Math.abs((m?.mainsRatio ?? 0) - e.mainsRatio)).toBeLessThan(0.02);
        // the decimated estimate, within 0.01 of the exact ratio
        expect(Math.abs((tracked?.baselineEstimate ?? 0) - e.baselineRatio)).toBeLessThan(0.01);
      }
    }
  });

  it('adds the saturation, noise and baseline reasons of each block, as judged alone', () => {
    const fs = 250;
    const x = ecgsyn({ fs, durationS: 30, heartRateBpm: 70, seed: 2 }).ecgMv.slice();
    const noise = gaussian(2 * fs, 5);
    // 2 s of strong noise in block 7 (14–16 s, the 8th): result k is the window ending at block k
    for (let i = 0; i < noise.length; i++) x[14 * fs + i] = (x[14 * fs + i] ?? 0) + (noise[i] ?? 0);
    const results = compare(x, fs);
    results.forEach(({ current, reference, blocks }, k) => {
      const blockReasons = blocks.flatMap((b) =>
        b.reasons.filter((r) =>
          ['saturation', 'high-frequency-noise', 'baseline-wander'].includes(r),
        ),
      );
      expect(new Set(current.reasons)).toEqual(new Set([...reference.reasons, ...blockReasons]));
      const noisyBlockInWindow = k >= 7 && k <= 12;
      expect(current.analysable).toBe(!noisyBlockInWindow);
      if (noisyBlockInWindow) expect(current.reasons).toContain('high-frequency-noise');
    });
  });

  it('computes the exact baseline ratio when the estimate comes near the rule', () => {
    const fs = 360;
    const clean = ecgsyn({ fs, durationS: 24, heartRateBpm: 70, seed: 3 }).ecgMv;
    const swing = clean.map((v, i) => v + 3 * Math.sin((2 * Math.PI * 0.1 * i) / fs));
    const last = compare(swing, fs).at(-1);
    expect(last?.tracked?.baselineEstimate).toBeGreaterThan(0.8);
    expect(last?.tracked?.metrics.baselineRatio).toBe(last?.reference.metrics.baselineRatio);
    expect(last?.current.reasons).toContain('baseline-wander');
    expect(last?.current.analysable).toBe(false);
  });

  it('reports too-short before the first block and a flat line like signalQuality', () => {
    const tracker = createSignalQualityTracker({ fs: 250 });
    expect(tracker.current).toEqual({ analysable: false, score: 0, reasons: ['too-short'] });
    expect(tracker.window).toBeNull();
    const flat = new Float64Array(3000).fill(0.2);
    for (let at = 0; at < flat.length; at += 500) tracker.addBlock(flat, at);
    expect(tracker.current.reasons).toEqual(['flat-line']);
    expect(tracker.current.analysable).toBe(false);
  });

  it('rejects bad options with typed errors', () => {
    expect(() => createSignalQualityTracker({ fs: 60 })).toThrow(SignalInputError);
    expect(() => createSignalQualityTracker({ fs: 250, windowBlocks: 0 })).toThrow(
      SignalInputError,
    );
    expect(() => createSignalQualityTracker({ fs: 250, blockSamples: 2.5 })).toThrow(
      SignalInputError,
    );
    expect(() => createSignalQualityTracker({ fs: 250, quality: { flatMv: -1 } })).toThrow(
      SignalInputError,
    );
  });
});
