import { describe, expect, it } from 'vitest';
import { loadMitdb101 } from '../../test/fixtures/mitdb-101.js';
import { decodeEcgCounts, decodeEcgInt16, encodeEcgInt16, packEcgCounts } from './ecg-codec.js';

describe('ECG int16 codec', () => {
  it('round-trips a 1 mV, 10 Hz sine within half a quantisation step', () => {
    const x = Float64Array.from({ length: 250 }, (_, i) => Math.sin((2 * Math.PI * 10 * i) / 250));
    const enc = encodeEcgInt16(x);
    expect(enc.bytes.byteLength).toBe(500);
    expect(enc.scaleMv).toBeCloseTo(Math.max(...x.map(Math.abs)) / 32767, 12);
    const y = decodeEcgInt16(enc.bytes, enc.scaleMv);
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs((y[i] ?? 0) - (x[i] ?? 0))).toBeLessThanOrEqual(enc.scaleMv / 2 + 1e-12);
    }
  });

  it('encodes a flat (lead-off) chunk exactly', () => {
    const enc = encodeEcgInt16([0, 0, 0, 0]);
    expect(enc.scaleMv).toBe(0.001);
    expect(Array.from(decodeEcgInt16(enc.bytes, enc.scaleMv))).toEqual([0, 0, 0, 0]);
  });

  it('decodes from a buffer view with a non-zero offset (as drivers return)', () => {
    const enc = encodeEcgInt16([1, -1, 0.5]);
    const padded = new Uint8Array(enc.bytes.byteLength + 3);
    padded.set(enc.bytes, 3);
    const y = decodeEcgInt16(padded.subarray(3), enc.scaleMv);
    expect(y[0]).toBeCloseTo(1, 4);
    expect(y[1]).toBeCloseTo(-1, 4);
    expect(y[2]).toBeCloseTo(0.5, 4);
  });
});

describe('stored ECG blobs (packEcgCounts / decodeEcgCounts)', () => {
  it('packs 60 s of MIT-BIH 101 (250 Hz, 1 s chunks) to under 80 % of raw and reads back the same counts', () => {
    const { ecgMv, fs } = loadMitdb101();
    let raw = 0;
    let stored = 0;
    for (let s = 0; s + fs <= ecgMv.length; s += fs) {
      const enc = encodeEcgInt16(ecgMv.subarray(s, s + fs));
      const blob = packEcgCounts(enc.bytes);
      expect(blob.byteLength % 2).toBe(1);
      expect(Array.from(decodeEcgCounts(blob))).toEqual(Array.from(decodeEcgCounts(enc.bytes)));
      expect(Array.from(decodeEcgInt16(blob, enc.scaleMv))).toEqual(
        Array.from(decodeEcgInt16(enc.bytes, enc.scaleMv)),
      );
      raw += enc.bytes.byteLength;
      stored += blob.byteLength;
    }
    expect(raw).toBe(60 * 250 * 2);
    expect(stored / raw).toBeLessThan(0.8);
  });

  it('reads a raw blob written before packing unchanged (even length)', () => {
    const enc = encodeEcgInt16([0.5, -0.25, 1, 0]);
    expect(Array.from(decodeEcgCounts(enc.bytes))).toEqual([16384, -8192, 32767, 0]);
  });

  it('keeps raw counts when packing would not make them smaller (noise, edge values)', () => {
    let state = 7;
    const noise = Int16Array.from({ length: 250 }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return (state % 65536) - 32768;
    });
    noise[0] = -32768;
    noise[1] = 32767;
    const raw = new Uint8Array(noise.buffer);
    const blob = packEcgCounts(raw);
    expect(blob).toBe(raw);
    expect(Array.from(decodeEcgCounts(blob))).toEqual(Array.from(noise));
    const extremes = Int16Array.from({ length: 250 }, (_, i) => (i < 125 ? -32768 : 32767));
    const packed = packEcgCounts(new Uint8Array(extremes.buffer));
    expect(packed.byteLength).toBeLessThan(500);
    expect(Array.from(decodeEcgCounts(packed))).toEqual(Array.from(extremes));
  });

  it('packs several leads together and gives each back exactly', () => {
    const { ecgMv } = loadMitdb101();
    const leads = [0, 250, 5000].map((s) => encodeEcgInt16(ecgMv.subarray(s, s + 500)));
    const raw = new Uint8Array(3 * 1000);
    leads.forEach((l, i) => {
      raw.set(l.bytes, i * 1000);
    });
    const blob = packEcgCounts(raw, 3);
    expect(blob.byteLength).toBeLessThan(raw.byteLength);
    const counts = decodeEcgCounts(blob);
    leads.forEach((l, i) => {
      expect(Array.from(counts.subarray(i * 500, (i + 1) * 500))).toEqual(
        Array.from(decodeEcgCounts(l.bytes)),
      );
    });
  });
});
