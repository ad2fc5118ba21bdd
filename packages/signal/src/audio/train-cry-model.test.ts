import { describe, expect, it } from 'vitest';
import { createRng } from '../synth/create-rng.js';
import { predictCryWindow } from './predict-cry-window.js';
import { trainCryModel } from './train-cry-model.js';

/** Two Gaussian classes in 3-D whose means differ along the first axis only. */
function data(n: number, seed: number): { x: Float64Array; y: Uint8Array; w: Float64Array } {
  const rng = createRng(seed);
  const x = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    y[r] = r % 2;
    x[r * 3] = (y[r] === 1 ? 2 : -2) + rng.normal();
    x[r * 3 + 1] = 5 + 3 * rng.normal();
    x[r * 3 + 2] = rng.normal();
  }
  return { x, y, w: new Float64Array(n).fill(1) };
}

describe('trainCryModel', () => {
  it.each([0, 4])('separates two Gaussian classes (hidden %i) near the Bayes rate', (hidden) => {
    const train = data(400, 1);
    const model = trainCryModel(train.x, train.y, train.w, {
      featureNames: ['a', 'b', 'c'],
      hidden,
      steps: 300,
    });
    const test = data(2000, 2);
    let correct = 0;
    for (let r = 0; r < 2000; r++) {
      const p = predictCryWindow(model, test.x.subarray(r * 3, r * 3 + 3));
      if ((p >= 0.5 ? 1 : 0) === test.y[r]) correct++;
    }
    // Means ±2 with unit variance: the Bayes error is Φ(−2) = 2.3 %.
    expect(correct / 2000).toBeGreaterThan(0.96);
    expect(model.std[1]).toBeCloseTo(3, 0);
  });

  it('gives the same model for the same data and seed', () => {
    const d = data(100, 3);
    const a = trainCryModel(d.x, d.y, d.w, { featureNames: ['a', 'b', 'c'], steps: 50 });
    const b = trainCryModel(d.x, d.y, d.w, { featureNames: ['a', 'b', 'c'], steps: 50 });
    expect(a).toEqual(b);
  });
});
