import { describe, expect, it } from 'vitest';
import { decodeWfdbSamples } from './decode-wfdb-samples.js';

describe('decodeWfdbSamples', () => {
  it('unpacks format 212 pairs including negative 12-bit values and an odd tail', () => {
    // Samples 0x123 and -1 (0xfff) share 3 bytes: 0x23, (0xf << 4) | 0x1, 0xff; then 0x7ff alone.
    const bytes = Uint8Array.from([0x23, 0xf1, 0xff, 0xff, 0x07, 0x00]);
    expect(Array.from(decodeWfdbSamples(bytes, 212, 3))).toEqual([0x123, -1, 2047]);
  });

  it('decodes little-endian 16, big-endian 61 and offset-binary 80', () => {
    expect(Array.from(decodeWfdbSamples(Uint8Array.from([0x01, 0x80, 0xff, 0x7f]), 16, 2))).toEqual(
      [-32767, 32767],
    );
    expect(Array.from(decodeWfdbSamples(Uint8Array.from([0x80, 0x01, 0x00, 0x05]), 61, 2))).toEqual(
      [-32767, 5],
    );
    expect(Array.from(decodeWfdbSamples(Uint8Array.from([0, 128, 255]), 80, 3))).toEqual([
      -128, 0, 127,
    ]);
  });

  it('rejects truncated data and unknown formats with typed errors', () => {
    expect(() => decodeWfdbSamples(new Uint8Array(2), 212, 2)).toThrow(
      expect.objectContaining({ code: 'TRUNCATED_DATA' }),
    );
    expect(() => decodeWfdbSamples(new Uint8Array(8), 8, 2)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
  });
});
