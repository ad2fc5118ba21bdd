import { describe, expect, it } from 'vitest';
import { createFaceBoxSmoother } from './create-face-box-smoother.js';

describe('createFaceBoxSmoother', () => {
  it('moves a fraction alpha towards each new box and converges to a still one', () => {
    const smoother = createFaceBoxSmoother({ alpha: 0.5 });
    smoother.update({ x: 100, y: 100, width: 100, height: 100 });
    const second = smoother.update({ x: 110, y: 100, width: 100, height: 100 });
    expect(second.x).toBeCloseTo(105, 10);
    let last = second;
    for (let i = 0; i < 30; i++)
      last = smoother.update({ x: 110, y: 100, width: 100, height: 100 });
    expect(last.x).toBeCloseTo(110, 6);
  });

  it('damps frame-to-frame jitter of ±3 px to well under a pixel', () => {
    const smoother = createFaceBoxSmoother();
    const xs: number[] = [];
    for (let i = 0; i < 100; i++)
      xs.push(
        smoother.update({ x: 200 + (i % 2 === 0 ? 3 : -3), y: 100, width: 150, height: 150 }).x,
      );
    const steps = xs.slice(50).map((x, i) => Math.abs(x - (xs[49 + i] ?? x)));
    expect(Math.max(...steps)).toBeLessThan(2.5);
    expect(Math.abs((xs[99] ?? 0) - 200)).toBeLessThan(1.5);
  });

  it('starts afresh when the face jumps by more than half a box width', () => {
    const smoother = createFaceBoxSmoother();
    smoother.update({ x: 0, y: 0, width: 100, height: 100 });
    expect(smoother.update({ x: 300, y: 0, width: 100, height: 100 }).x).toBe(300);
  });
});
