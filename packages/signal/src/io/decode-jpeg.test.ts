import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJpeg } from './decode-jpeg.js';
import { MediaDecodeError } from './media-decode-error.js';

const bytes = readFileSync(new URL('../../assets/face-eileen-collins.jpg', import.meta.url));

describe('decodeJpeg', () => {
  it('decodes the portrait to 192 × 224 RGB with skin-toned centre pixels', () => {
    const image = decodeJpeg(bytes);
    expect([image.width, image.height, image.channels]).toEqual([192, 224, 3]);
    expect(image.pixels.length).toBe(192 * 224 * 3);
    const o = (120 * 192 + 96) * 3; // the cheek/nose area
    const [r = 0, g = 0, b = 0] = image.pixels.subarray(o, o + 3);
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
  });

  it('turns a truncated JPEG into a typed CORRUPT_IMAGE error, not a crash', () => {
    const truncated = bytes.subarray(0, 600);
    expect(() => decodeJpeg(truncated)).toThrow(MediaDecodeError);
    try {
      decodeJpeg(truncated);
    } catch (error) {
      expect((error as MediaDecodeError).code).toBe('CORRUPT_IMAGE');
      expect((error as MediaDecodeError).field).toBe('bytes');
    }
  });

  it('rejects bytes that are not a JPEG and garbage after a JPEG marker', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(() => decodeJpeg(png)).toThrow(/SOI/);
    const garbage = Uint8Array.from({ length: 2000 }, (_, i) =>
      i < 2 ? ([0xff, 0xd8][i] ?? 0) : (i * 37) & 0xff,
    );
    expect(() => decodeJpeg(garbage)).toThrow(MediaDecodeError);
  });

  it('refuses an image above the pixel limit', () => {
    expect(() => decodeJpeg(bytes, { maxPixels: 10_000 })).toThrow(MediaDecodeError);
  });
});
