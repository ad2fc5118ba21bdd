import jpeg from 'jpeg-js';
import { MediaDecodeError } from './media-decode-error.js';

export interface EncodeJpegOptions {
  /** JPEG quality, 1–100. Default 80 (seed 001's MJPEG quality). */
  quality?: number;
}

/**
 * Encodes 8-bit RGB (3 channels) or RGBA (4) pixels, rows top to bottom, as a baseline JPEG with
 * jpeg-js (for annotated camera frames: `/current_frame`, `/video_feed`).
 */
export function encodeJpeg(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  options: EncodeJpegOptions = {},
): Uint8Array {
  const channels = pixels.length / (width * height);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width <= 0 ||
    height <= 0 ||
    (channels !== 3 && channels !== 4)
  ) {
    throw new MediaDecodeError(
      'CORRUPT_IMAGE',
      'pixels',
      `pixels must hold width × height × 3 or × 4 bytes (width ${width}, height ${height}, ${pixels.length} bytes)`,
    );
  }
  const quality = options.quality ?? 80;
  let rgba: Uint8Array;
  if (channels === 4) rgba = Uint8Array.from(pixels);
  else {
    rgba = new Uint8Array(width * height * 4);
    for (let i = 0, o = 0; i < pixels.length; i += 3, o += 4) {
      rgba[o] = pixels[i] ?? 0;
      rgba[o + 1] = pixels[i + 1] ?? 0;
      rgba[o + 2] = pixels[i + 2] ?? 0;
      rgba[o + 3] = 255;
    }
  }
  const out = jpeg.encode({ data: rgba, width, height }, Math.max(1, Math.min(100, quality)));
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}
