import { describe, expect, it } from 'vitest';
import { maskBeatsInIntervals } from './mask-beats-in-intervals.js';

describe('maskBeatsInIntervals', () => {
  it('relabels the beats inside the intervals, start included and end excluded', () => {
    const peaks = [100, 200, 300, 400, 500];
    const labels = [0, 1, 0, 0, 2];
    expect(Array.from(maskBeatsInIntervals(peaks, labels, [[200, 400]]))).toEqual([0, 4, 4, 0, 2]);
  });

  it('leaves the labels of a record without intervals and does not change its input', () => {
    const labels = Int32Array.from([0, 1, 0]);
    const out = maskBeatsInIntervals([10, 20, 30], labels, [], 4);
    expect(Array.from(out)).toEqual([0, 1, 0]);
    out[0] = 4;
    expect(labels[0]).toBe(0);
  });

  it('rejects peaks and labels of different lengths', () => {
    expect(() => maskBeatsInIntervals([1, 2], [0], [])).toThrow(RangeError);
  });
});
