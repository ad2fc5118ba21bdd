import { describe, expect, it } from 'vitest';
import { blazeFaceAnchors } from './blazeface-anchors.js';
import { decodeBlazeFace } from './decode-blazeface.js';
import { weightedNonMaxSuppression } from './weighted-non-max-suppression.js';

describe('blazeFaceAnchors', () => {
  it('lays out 512 stride-8 then 384 stride-16 anchors on the 128 px input', () => {
    const a = blazeFaceAnchors();
    expect(a.length).toBe(2 * 896);
    expect([a[0], a[1], a[2], a[3]]).toEqual([1 / 32, 1 / 32, 1 / 32, 1 / 32]);
    expect([a[4], a[5]]).toEqual([3 / 32, 1 / 32]);
    // Anchor 512 is the first of the 8 × 8 grid; anchors 512–517 share its cell.
    expect([a[1024], a[1025], a[1034], a[1035], a[1036]]).toEqual([
      1 / 16,
      1 / 16,
      1 / 16,
      1 / 16,
      3 / 16,
    ]);
    expect([a[2 * 895], a[2 * 895 + 1]]).toEqual([15 / 16, 15 / 16]);
  });
});

describe('decodeBlazeFace', () => {
  it('places a box from an anchor centre and pixel offsets, and drops scores under the threshold', () => {
    const anchors = blazeFaceAnchors();
    const scores = new Float32Array(896).fill(-10);
    const regressors = new Float32Array(896 * 16);
    scores[600] = 2; // sigmoid 0.88
    scores[601] = 0; // sigmoid 0.5, below 0.6
    regressors.set([6.4, -12.8, 32, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 600 * 16);
    const [face, ...rest] = decodeBlazeFace(scores, regressors, anchors);
    expect(rest).toEqual([]);
    const ax = anchors[1200] ?? 0;
    const ay = anchors[1201] ?? 0;
    expect(face?.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(face?.width).toBeCloseTo(0.25, 6);
    expect(face?.height).toBeCloseTo(0.5, 6);
    expect(face?.x).toBeCloseTo(ax + 0.05 - 0.125, 6);
    expect(face?.y).toBeCloseTo(ay - 0.1 - 0.25, 6);
    expect(face?.keypoints[0]?.[0]).toBeCloseTo(ax, 6);
  });

  it('rejects outputs that do not match the anchors', () => {
    expect(() =>
      decodeBlazeFace(new Float32Array(10), new Float32Array(160), blazeFaceAnchors()),
    ).toThrow(/896/);
  });
});

describe('weightedNonMaxSuppression', () => {
  const kp: [number, number][] = [[0, 0]];
  it('merges overlapping boxes into their score-weighted mean and keeps separate faces apart', () => {
    const merged = weightedNonMaxSuppression([
      { x: 0, y: 0, width: 10, height: 10, score: 0.9, keypoints: kp },
      { x: 1, y: 1, width: 10, height: 10, score: 0.6, keypoints: [[3, 3]] },
      { x: 50, y: 50, width: 10, height: 10, score: 0.7, keypoints: kp },
    ]);
    expect(merged.length).toBe(2);
    expect(merged[0]?.x).toBeCloseTo(0.6 / 1.5, 10);
    expect(merged[0]?.score).toBe(0.9);
    expect(merged[0]?.keypoints[0]?.[0]).toBeCloseTo((3 * 0.6) / 1.5, 10);
    expect(merged[1]?.x).toBe(50);
  });

  it('returns at most maxFaces, best first', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      x: 100 * i,
      y: 0,
      width: 10,
      height: 10,
      score: 0.5 + i / 10,
      keypoints: kp,
    }));
    const kept = weightedNonMaxSuppression(many, { maxFaces: 2 });
    expect(kept.map((d) => d.x)).toEqual([400, 300]);
  });
});
