import { SignalInputError } from '../errors.js';

/** Storage formats `decodeWfdbSamples` understands (WFDB signal(5)). */
export const SUPPORTED_WFDB_FORMATS: readonly number[] = [16, 61, 80, 212];

/** The raw value WFDB writes for "no sample" in each format (WFDB `WFDB_INVALID_SAMPLE`). */
export function invalidSampleValue(format: number): number {
  switch (format) {
    case 212:
      return -2048;
    case 80:
      return -128;
    default:
      return -32768;
  }
}

/** Bytes needed for `count` interleaved samples of `format`. */
export function bytesForSamples(format: number, count: number): number {
  switch (format) {
    case 212:
      return Math.ceil((count * 3) / 2);
    case 80:
      return count;
    case 16:
    case 61:
      return count * 2;
    default:
      throw new SignalInputError('UNSUPPORTED_FORMAT', 'format', `WFDB format ${format}`);
  }
}

/** How many whole samples `byteLength` bytes hold in `format`. */
export function samplesInBytes(format: number, byteLength: number): number {
  switch (format) {
    case 212:
      return Math.floor((byteLength * 2) / 3);
    case 80:
      return byteLength;
    case 16:
    case 61:
      return Math.floor(byteLength / 2);
    default:
      throw new SignalInputError('UNSUPPORTED_FORMAT', 'format', `WFDB format ${format}`);
  }
}

/**
 * Decodes `count` interleaved samples of a WFDB data file (all signals of the file, frame by
 * frame) into their ADC values, per signal(5):
 * - 212: two 12-bit two's-complement samples packed in 3 bytes; the first takes byte 0 and the
 *   low nibble of byte 1, the second byte 2 and the high nibble of byte 1.
 * - 16: 16-bit two's complement, little-endian. 61: the same, big-endian.
 * - 80: 8-bit offset binary (value + 128).
 */
export function decodeWfdbSamples(bytes: Uint8Array, format: number, count: number): Int32Array {
  if (!Number.isInteger(count) || count < 0) {
    throw new SignalInputError('INVALID_ARGUMENT', 'count', 'sample count must be an integer ≥ 0');
  }
  const needed = bytesForSamples(format, count);
  if (bytes.length < needed) {
    throw new SignalInputError(
      'TRUNCATED_DATA',
      'bytes',
      `format ${format}: ${count} samples need ${needed} bytes, the data has ${bytes.length}`,
    );
  }
  const out = new Int32Array(count);
  switch (format) {
    case 212: {
      let b = 0;
      let i = 0;
      for (; i + 1 < count; i += 2, b += 3) {
        const b0 = bytes[b] ?? 0;
        const b1 = bytes[b + 1] ?? 0;
        const b2 = bytes[b + 2] ?? 0;
        out[i] = ((((b1 & 0x0f) << 8) | b0) << 20) >> 20;
        out[i + 1] = ((((b1 & 0xf0) << 4) | b2) << 20) >> 20;
      }
      if (i < count) out[i] = (((((bytes[b + 1] ?? 0) & 0x0f) << 8) | (bytes[b] ?? 0)) << 20) >> 20;
      break;
    }
    case 16: {
      for (let i = 0, b = 0; i < count; i++, b += 2) {
        out[i] = ((((bytes[b + 1] ?? 0) << 8) | (bytes[b] ?? 0)) << 16) >> 16;
      }
      break;
    }
    case 61: {
      for (let i = 0, b = 0; i < count; i++, b += 2) {
        out[i] = ((((bytes[b] ?? 0) << 8) | (bytes[b + 1] ?? 0)) << 16) >> 16;
      }
      break;
    }
    case 80: {
      for (let i = 0; i < count; i++) out[i] = (bytes[i] ?? 128) - 128;
      break;
    }
    default:
      throw new SignalInputError('UNSUPPORTED_FORMAT', 'format', `WFDB format ${format}`);
  }
  return out;
}
