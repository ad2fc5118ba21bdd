import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWfdbRecord } from '../io/read-wfdb-record.js';
import { createQrsDetector } from './create-qrs-detector.js';
import { detectQrs } from './detect-qrs.js';

const fixtures = join(import.meta.dirname, '../io/fixtures');

/** Deterministic chunk sizes between 1 and `max` (a linear congruential sequence). */
function chunkSizes(seed: number, max: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return 1 + (s % max);
  };
}

describe('createQrsDetector', () => {
  it.each(['119', '208', '203', 'data_101_6'])(
    'gives exactly the offline peaks of %s for random chunk sizes',
    async (name) => {
      const record = await readWfdbRecord(join(fixtures, name));
      const ecg = record.signals[0]?.physical ?? new Float64Array(0);
      const offline = Array.from(detectQrs(ecg, { fs: record.fs }));
      for (const [seed, max] of [
        [1, 1],
        [2, 17],
        [3, 400],
        [4, 5000],
      ] as const) {
        const detector = createQrsDetector({ fs: record.fs });
        const next = chunkSizes(seed, max);
        const streamed: number[] = [];
        for (let i = 0; i < ecg.length;) {
          const size = next();
          streamed.push(...detector.push(ecg.subarray(i, i + size)));
          i += size;
        }
        streamed.push(...detector.flush());
        expect(streamed).toEqual(offline);
        expect(detector.samplesSeen).toBe(ecg.length);
      }
    },
  );

  it('reports peaks as absolute indices, each once, in increasing order, within 1 s of arrival', async () => {
    const record = await readWfdbRecord(join(fixtures, '208'));
    const ecg = record.signals[0]?.physical ?? new Float64Array(0);
    const detector = createQrsDetector({ fs: record.fs });
    const seen: number[] = [];
    for (let i = 0; i < ecg.length; i += record.fs) {
      const chunk = ecg.subarray(i, i + record.fs);
      const end = i + chunk.length;
      for (const p of detector.push(chunk)) {
        expect(p).toBeLessThan(end);
        // After the 2 s learning period a beat is confirmed at most ~1 s after it happened
        // (0.3 s dominance wait plus integration and filter delay), unless found by search-back.
        if (i > 3 * record.fs) expect(end - p).toBeLessThan(2 * record.fs);
        seen.push(p);
      }
    }
    seen.push(...detector.flush());
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects a chunk with a NaN whole and keeps its state', () => {
    const detector = createQrsDetector({ fs: 250 });
    detector.push(new Float64Array(100));
    const bad = new Float64Array(50);
    bad[10] = Number.NaN;
    expect(() => detector.push(bad)).toThrow(
      expect.objectContaining({ code: 'NON_FINITE_SAMPLE' }),
    );
    expect(detector.samplesSeen).toBe(100);
  });
});
