import { describe, expect, it } from 'vitest';
import { meanSkinRgb } from './mean-skin-rgb.js';

/** A 100 × 80 frame: blue background, a 40 × 40 skin patch at (30, 20), a dark "eye" inside. */
function frame(channels: 3 | 4): Uint8Array {
  const w = 100;
  const h = 80;
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      const inPatch = x >= 30 && x < 70 && y >= 20 && y < 60;
      const eye = x >= 40 && x < 45 && y >= 30 && y < 35;
      const [r, g, b] = eye ? [20, 15, 15] : inPatch ? [200, 150, 120] : [40, 80, 200];
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
      if (channels === 4) px[o + 3] = 255;
    }
  }
  return px;
}

describe('meanSkinRgb', () => {
  it('averages only the skin pixels, leaving out background and dark pixels', () => {
    const box = { x: 20, y: 10, width: 60, height: 60 };
    const result = meanSkinRgb({ pixels: frame(3), width: 100, height: 80 }, box, {
      region: [0, 0, 1, 1],
    });
    expect(result.r).toBeCloseTo(200, 10);
    expect(result.g).toBeCloseTo(150, 10);
    expect(result.b).toBeCloseTo(120, 10);
    expect(result.skinPixels).toBe(40 * 40 - 25);
    expect(result.skinFraction).toBeCloseTo((40 * 40 - 25) / (60 * 60), 10);
  });

  it('reads RGBA frames the same as RGB', () => {
    const box = { x: 25, y: 15, width: 50, height: 50 };
    const rgb = meanSkinRgb({ pixels: frame(3), width: 100, height: 80 }, box);
    const rgba = meanSkinRgb({ pixels: frame(4), width: 100, height: 80, channels: 4 }, box);
    expect(rgba).toEqual(rgb);
  });

  it('clips a box that leaves the frame and reports no skin outside the patch', () => {
    const result = meanSkinRgb(
      { pixels: frame(3), width: 100, height: 80 },
      { x: 80, y: -20, width: 60, height: 40 },
    );
    expect(result.skinPixels).toBe(0);
    expect(Number.isNaN(result.r)).toBe(true);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() =>
      meanSkinRgb(
        { pixels: new Uint8Array(10), width: 100, height: 80 },
        { x: 0, y: 0, width: 10, height: 10 },
      ),
    ).toThrow(/bytes/);
  });
});
