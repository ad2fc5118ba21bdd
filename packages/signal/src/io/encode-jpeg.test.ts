import { describe, expect, it } from 'vitest';
import { decodeJpeg } from './decode-jpeg.js';
import { encodeJpeg } from './encode-jpeg.js';
import { MediaDecodeError } from './media-decode-error.js';

describe('encodeJpeg', () => {
  it('round-trips an RGB image through decodeJpeg within JPEG error', () => {
    const width = 32;
    const height = 16;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set([200, 120, 60], i * 3);
    const bytes = encodeJpeg(rgb, width, height, { quality: 90 });
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    const back = decodeJpeg(bytes);
    expect([back.width, back.height]).toEqual([width, height]);
    const mid = (8 * width + 16) * 3;
    expect(Math.abs((back.pixels[mid] ?? 0) - 200)).toBeLessThan(4);
    expect(Math.abs((back.pixels[mid + 1] ?? 0) - 120)).toBeLessThan(4);
    expect(Math.abs((back.pixels[mid + 2] ?? 0) - 60)).toBeLessThan(4);
  });

  it('refuses a buffer that does not match the size', () => {
    expect(() => encodeJpeg(new Uint8Array(10), 4, 4)).toThrow(MediaDecodeError);
  });
});
