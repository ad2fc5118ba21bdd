import { describe, expect, it } from 'vitest';
import { readEcg12Record } from '../io/index.js';
import { measureEcg12 } from '../ecg12/measure-ecg12.js';
import { detectQrs } from './detect-qrs.js';
import { qrsDelineate } from './qrs-delineate.js';
import { measureMultiLeadQrs } from './measure-multi-lead-qrs.js';
import { SignalInputError } from '../errors.js';

/** Real 12-lead records committed as fixtures (CC BY 4.0, see the NOTICE files). */
const fixtures = new URL('../io/fixtures/', import.meta.url).pathname;
const records = {
  E07509: `${fixtures}cinc2021/E07509`, // complete RBBB
  HR06006: `${fixtures}cinc2021/HR06006`, // PTB-XL NORM
  PTBXL00177: `${fixtures}ptbxl/00177_hr`, // PTB-XL anteroseptal MI
};

function median(values: Float64Array): number {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return v.length % 2 === 1
    ? (v[v.length >> 1] ?? NaN)
    : ((v[v.length / 2 - 1] ?? NaN) + (v[v.length / 2] ?? NaN)) / 2;
}

describe('measureMultiLeadQrs', () => {
  it('measures a right bundle branch block whole from all leads, which lead II alone narrows', async () => {
    const r = await readEcg12Record(records.E07509);
    const leadII = r.leadsMv[1] as Float32Array;
    const peaks = detectQrs(leadII, { fs: 500 });
    const all = measureMultiLeadQrs(r.leadsMv, peaks, { samplingRateHz: 500 });
    const single = median(qrsDelineate(leadII, 500, peaks).durationMs);
    // CRBBB means QRS ≥ 120 ms: all 12 leads give 158 ms, lead II alone 103 ms (median).
    expect(all.qrsMs).toBe(158);
    expect(all.beats).toBe(7);
    expect(single).toBe(103);
  });

  it('agrees with the 12-lead measurement given its beats (same global onset and offset)', async () => {
    for (const [path, qrsMs] of [
      [records.E07509, 160],
      [records.HR06006, 92],
      [records.PTBXL00177, 108],
    ] as const) {
      const r = await readEcg12Record(path);
      const m = measureEcg12(r.leadsMv, { samplingRateHz: 500 });
      expect(m.qrsMs).toBe(qrsMs);
      expect(measureMultiLeadQrs(r.leadsMv, m.beatSamples, { samplingRateHz: 500 }).qrsMs).toBe(
        qrsMs,
      );
    }
  });

  it('takes fewer leads, and says NaN when no beat has enough signal around it', async () => {
    const r = await readEcg12Record(records.HR06006);
    const peaks = detectQrs(r.leadsMv[1] as Float32Array, { fs: 500 });
    const three = [0, 1, 10].map((l) => r.leadsMv[l] as Float32Array);
    const q = measureMultiLeadQrs(three, peaks, { samplingRateHz: 500 });
    expect(q.qrsMs).toBeGreaterThan(70);
    expect(q.qrsMs).toBeLessThan(120);
    expect(measureMultiLeadQrs(three, [2], { samplingRateHz: 500 })).toEqual({
      qrsMs: NaN,
      beats: 0,
    });
  });

  it('checks its input first', () => {
    const lead = new Float64Array(1000);
    expect(() => measureMultiLeadQrs([], [], { samplingRateHz: 500 })).toThrow(SignalInputError);
    expect(() =>
      measureMultiLeadQrs([lead, new Float64Array(10)], [], { samplingRateHz: 500 }),
    ).toThrow(/leadsMv\[1\]/);
    expect(() => measureMultiLeadQrs([lead], [5, 3], { samplingRateHz: 500 })).toThrow(/ascending/);
    expect(() => measureMultiLeadQrs([lead], [], { samplingRateHz: 50 })).toThrow(SignalInputError);
  });
});
