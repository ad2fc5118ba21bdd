import { describe, expect, it } from 'vitest';
import { BEAT_FEATURE_NAMES } from '../arrhythmia/create-beat-feature-extractor.js';
import { selectAfBeats } from './select-af-beats.js';

const nf = BEAT_FEATURE_NAMES.length;
const iWidth = BEAT_FEATURE_NAMES.indexOf('width/templateWidth');
const iCorr = BEAT_FEATURE_NAMES.indexOf('corrQrs');

/** Feature rows with the given QRS width ratio and correlation (other features 0). */
function rows(shapes: [number, number][]): Float64Array {
  const x = new Float64Array(shapes.length * nf);
  shapes.forEach(([w, c], i) => {
    x[i * nf + iWidth] = w;
    x[i * nf + iCorr] = c;
  });
  return x;
}

/** n narrow beats alike the running template (width ratio 1, correlation 0.99). */
const narrow = (n: number): Float64Array =>
  rows(Array.from({ length: n }, (): [number, number] => [1, 0.99]));

describe('selectAfBeats', () => {
  it('labels narrow beats inside AF as N and leaves the beats outside AF out', () => {
    const peaks = Int32Array.from([100, 1000, 2000, 3000]);
    const x = narrow(4);
    // AF from 500 to 2500 at 250 Hz: 1000 and 2000 are more than 1 s from its edges.
    const labels = selectAfBeats(peaks, x, nf, [[500, 2500]], { fs: 250, length: 4000 });
    expect(Array.from(labels)).toEqual([4, 0, 0, 4]);
  });

  it('leaves out beats within edgeS of a rhythm change but not at the recording edges', () => {
    const peaks = Int32Array.from([10, 600, 2400, 3990]);
    const x = narrow(4);
    // A whole-strip AF label: every beat counts, the first and last included.
    expect(Array.from(selectAfBeats(peaks, x, nf, [[0, 4000]], { fs: 250, length: 4000 }))).toEqual(
      [0, 0, 0, 0],
    );
    // AF from 500 to 2500: 600 and 2400 lie within 1 s (250 samples) of the rhythm changes.
    expect(
      Array.from(selectAfBeats(peaks, x, nf, [[500, 2500]], { fs: 250, length: 4000 })),
    ).toEqual([4, 4, 4, 4]);
  });

  it('leaves out wide or poorly correlated beats inside AF, which may be ventricular', () => {
    const peaks = Int32Array.from([100, 200, 300, 400]);
    const x = rows([
      [1.05, 0.95],
      [1.4, 0.95],
      [1.0, 0.6],
      [1.29, 0.81],
    ]);
    const labels = selectAfBeats(peaks, x, nf, [[0, 500]], { fs: 250, length: 500 });
    expect(Array.from(labels)).toEqual([0, 4, 4, 0]);
  });

  it('rejects a feature matrix too small for the beats', () => {
    expect(() =>
      selectAfBeats(Int32Array.from([1, 2]), new Float64Array(nf), nf, [], { fs: 250, length: 10 }),
    ).toThrow(RangeError);
  });
});
