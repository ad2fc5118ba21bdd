import { describe, expect, it } from 'vitest';
import { parseCsv } from './parse-csv.js';
import { rocAuc } from './roc-auc.js';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties, NaN with one class', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNaN();
  });

  it('counts pairs: 3 positives, 2 negatives, 5 of 6 pairs ordered → 5/6', () => {
    expect(rocAuc([0.3, 0.6, 0.9, 0.4, 0.7], [true, true, true, false, false])).toBeCloseTo(
      3 / 6,
      12,
    );
    expect(rocAuc([0.5, 0.6, 0.9, 0.4, 0.55], [true, true, true, false, false])).toBeCloseTo(
      5 / 6,
      12,
    );
  });
});

describe('parseCsv', () => {
  it('keeps commas and doubled quotes inside quoted fields and accepts CRLF', () => {
    expect(parseCsv('a,b\r\n1,"{\'NORM\': 100.0, \'SR\': 0.0}"\r\n2,"say ""hi"""\n')).toEqual([
      ['a', 'b'],
      ['1', "{'NORM': 100.0, 'SR': 0.0}"],
      ['2', 'say "hi"'],
    ]);
  });
});
