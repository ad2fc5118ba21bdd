import { describe, expect, it } from 'vitest';
import { labelDetectedBeats } from './label-detected-beats.js';

describe('labelDetectedBeats', () => {
  it('gives each detection the label of the reference beat within 150 ms, Q (4) to the others', () => {
    const ref = Int32Array.from([100, 400, 700]);
    const labels = Int32Array.from([0, 2, 1]);
    // 400 detected 30 samples late (120 ms at 250 Hz), 700 missed, a false detection at 900.
    const det = Int32Array.from([102, 430, 900]);
    expect(Array.from(labelDetectedBeats(ref, labels, det, 250))).toEqual([0, 2, 4]);
  });

  it('pairs a reference beat with the nearest unused detection only once', () => {
    const ref = Int32Array.from([100]);
    const det = Int32Array.from([90, 105]);
    expect(Array.from(labelDetectedBeats(ref, Int32Array.from([2]), det, 250))).toEqual([4, 2]);
  });

  it('rejects labels that do not match the reference positions', () => {
    expect(() =>
      labelDetectedBeats(Int32Array.from([1, 2]), Int32Array.from([0]), new Int32Array(0), 250),
    ).toThrow(RangeError);
  });
});
