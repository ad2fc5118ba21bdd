import { describe, expect, it } from 'vitest';
import { sortSmallInPlace } from './sort-small-in-place.js';

describe('sortSmallInPlace', () => {
  it('sorts the first n values ascending and leaves the rest alone', () => {
    const v = Float64Array.from([5, -1, 3, 3, 0.5, 9, -7]);
    sortSmallInPlace(v, 5);
    expect(Array.from(v)).toEqual([-1, 0.5, 3, 3, 5, 9, -7]);
  });

  it('gives the order of a comparator sort on random values', () => {
    let seed = 12345;
    const next = (): number =>
      ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 200 - 100;
    for (let n = 0; n <= 40; n++) {
      const values = Array.from({ length: n }, next);
      const v = Float64Array.from(values);
      sortSmallInPlace(v, n);
      expect(Array.from(v)).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('refuses a count outside the array', () => {
    expect(() => {
      sortSmallInPlace(new Float64Array(3), 4);
    }).toThrow(RangeError);
    expect(() => {
      sortSmallInPlace(new Float64Array(3), -1);
    }).toThrow(RangeError);
  });
});
