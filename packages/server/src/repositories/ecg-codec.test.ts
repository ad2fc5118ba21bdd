import { describe, expect, it } from 'vitest';
import { decodeEcgInt16, encodeEcgInt16 } from './ecg-codec.js';

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
