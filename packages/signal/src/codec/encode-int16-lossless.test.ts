import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readWfdbRecord } from '../io/read-wfdb-record.js';
import { createRng } from '../synth/create-rng.js';
import { decodeInt16Lossless } from './decode-int16-lossless.js';
import { encodeInt16Lossless } from './encode-int16-lossless.js';

const fixtures = join(import.meta.dirname, '..', 'io', 'fixtures');

/** One-second chunks of a lead scaled to the full int16 range, as the server stores ECG. */
function fullScaleChunks(mv: Float64Array, perChunk: number): Int16Array[] {
  const out: Int16Array[] = [];
  for (let s = 0; s + perChunk <= mv.length; s += perChunk) {
    const x = mv.subarray(s, s + perChunk);
    let maxAbs = 0;
    for (const v of x) maxAbs = Math.max(maxAbs, Math.abs(v));
    out.push(Int16Array.from(x, (v) => Math.round((v / maxAbs) * 32767)));
  }
  return out;
}

describe('encodeInt16Lossless / decodeInt16Lossless', () => {
  it('round-trips 20 s of MIT-BIH 119 (two leads, full-scale 1 s chunks) exactly, in under 75 % of the raw bytes', async () => {
    const rec = await readWfdbRecord(join(fixtures, '119'));
    let raw = 0;
    let packed = 0;
    for (const sig of rec.signals) {
      for (const chunk of fullScaleChunks(sig.physical, rec.fs)) {
        const bytes = encodeInt16Lossless(chunk);
        expect(Array.from(decodeInt16Lossless(bytes))).toEqual(Array.from(chunk));
        raw += chunk.byteLength;
        packed += bytes.byteLength;
      }
    }
    expect(raw).toBe(2 * 20 * 360 * 2);
    expect(packed / raw).toBeLessThan(0.75);
  });

  it('round-trips several channels one after the other, each with its own predictor', async () => {
    const rec = await readWfdbRecord(join(fixtures, '119'));
    const a = fullScaleChunks(rec.signals[0]?.physical ?? new Float64Array(), 360)[3];
    const b = fullScaleChunks(rec.signals[1]?.physical ?? new Float64Array(), 360)[3];
    const flat = new Int16Array(360).fill(-5);
    const planar = Int16Array.from([...(a ?? []), ...(b ?? []), ...flat]);
    const bytes = encodeInt16Lossless(planar, { channels: 3 });
    expect(bytes[2]).toBe(3);
    expect(Array.from(decodeInt16Lossless(bytes))).toEqual(Array.from(planar));
  });

  it('round-trips uniform random int16 noise and edge values exactly', () => {
    const rng = createRng(21);
    for (const n of [0, 1, 2, 3, 4, 31, 32, 33, 250, 1000]) {
      const x = Int16Array.from({ length: n }, () => Math.floor(rng.uniform() * 65536) - 32768);
      expect(Array.from(decodeInt16Lossless(encodeInt16Lossless(x)))).toEqual(Array.from(x));
    }
    // Alternating extremes: the largest residuals any predictor order can produce (escapes).
    const edges = Int16Array.from({ length: 97 }, (_, i) => (i % 2 === 0 ? -32768 : 32767));
    edges[50] = 0;
    edges[51] = -32768;
    edges[52] = -32768;
    expect(Array.from(decodeInt16Lossless(encodeInt16Lossless(edges)))).toEqual(Array.from(edges));
    const ramps = Int16Array.from([32767, 32767, 32767, -32768, -32768, -32768, 32767, -32768]);
    expect(Array.from(decodeInt16Lossless(encodeInt16Lossless(ramps)))).toEqual(Array.from(ramps));
  });

  it('writes a stream of odd length with a magic byte and version 1 (a raw int16 array is always even)', () => {
    for (const n of [0, 1, 7, 250]) {
      const bytes = encodeInt16Lossless(new Int16Array(n).fill(3));
      expect(bytes.byteLength % 2).toBe(1);
      expect(bytes[0]).toBe(0xec);
      expect(bytes[1]).toBe(1);
    }
  });

  it('compresses a flat chunk to about one bit a sample', () => {
    expect(encodeInt16Lossless(new Int16Array(250)).byteLength).toBeLessThan(7 + 250 / 8 + 8);
  });

  it('rejects a wrong channel count and non-int16 input', () => {
    expect(() => encodeInt16Lossless(new Int16Array(5), { channels: 2 })).toThrow(SignalInputError);
    expect(() => encodeInt16Lossless(new Int16Array(4), { channels: 0 })).toThrow(SignalInputError);
    expect(() => encodeInt16Lossless([1, 2] as unknown as Int16Array)).toThrow(SignalInputError);
  });

  it('rejects raw samples, an unknown version and a truncated stream', () => {
    const bytes = encodeInt16Lossless(Int16Array.from({ length: 250 }, (_, i) => i * 37));
    expect(() => decodeInt16Lossless(new Uint8Array(500))).toThrow(/not an int16 lossless stream/);
    const v2 = bytes.slice();
    v2[1] = 2;
    expect(() => decodeInt16Lossless(v2)).toThrow(/version 2/);
    expect(() => decodeInt16Lossless(bytes.subarray(0, bytes.byteLength - 20))).toThrow(
      expect.objectContaining({ code: 'TRUNCATED_DATA' }),
    );
  });
});
