import jpeg from 'jpeg-js';
import { MediaDecodeError } from './media-decode-error.js';

export interface DecodeJpegOptions {
  /** Largest accepted image, pixels. Default 4 096 × 4 096 (a bound on memory per frame). */
  maxPixels?: number;
}

export interface DecodedImage {
  /** RGB, width × height × 3 bytes, rows top to bottom. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/**
 * Decodes one JPEG (a WebSocket camera frame) to RGB with jpeg-js. Anything that is not a
 * decodable JPEG — truncated, corrupt, another format — throws a MediaDecodeError
 * ('CORRUPT_IMAGE', or 'IMAGE_TOO_LARGE' above `maxPixels`), never a crash.
 */
export function decodeJpeg(bytes: Uint8Array, options: DecodeJpegOptions = {}): DecodedImage {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) {
    throw new MediaDecodeError('CORRUPT_IMAGE', 'bytes', 'a JPEG image needs at least 4 bytes');
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new MediaDecodeError('CORRUPT_IMAGE', 'bytes', 'not a JPEG image (no SOI marker FFD8)');
  }
  const maxPixels = options.maxPixels ?? 4096 * 4096;
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * 4 * 3) / 2 ** 20) + 16,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tooLarge = /maxResolutionInMP|maxMemoryUsageInMB/.test(message);
    throw new MediaDecodeError(
      tooLarge ? 'IMAGE_TOO_LARGE' : 'CORRUPT_IMAGE',
      'bytes',
      `JPEG could not be decoded: ${message}`,
      { cause: error },
    );
  }
  const { width, height, data } = decoded;
  if (width <= 0 || height <= 0 || data.length < width * height * 3) {
    throw new MediaDecodeError('CORRUPT_IMAGE', 'bytes', 'JPEG decoded to an empty image');
  }
  return { pixels: data, width, height, channels: 3 };
}
