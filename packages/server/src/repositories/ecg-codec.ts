/**
 * Compact binary encoding of an ECG chunk: little-endian int16 samples with a per-chunk scale
 * (mV per count). A 1 s, 250 Hz chunk is 500 bytes instead of ~2.5 kB of JSON text.
 *
 * The scale is chosen per chunk as max|x| / 32767, so the quantisation step is 1/65534 of the
 * chunk's range: finer than the ESP32's 12-bit ADC (≈2.4 µV over ±5 mV) for any chunk within
 * ±75 mV, i.e. anything but a saturated or disconnected input. A flat chunk gets 1 µV/count.
 */

const FLAT_SCALE_MV = 0.001;

export interface EncodedEcg {
  bytes: Uint8Array;
  /** mV per int16 count. */
  scaleMv: number;
  nSamples: number;
}

export function encodeEcgInt16(samplesMv: ArrayLike<number>): EncodedEcg {
  const n = samplesMv.length;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(samplesMv[i] ?? 0);
    if (a > maxAbs) maxAbs = a;
  }
  const scaleMv = maxAbs > 0 ? maxAbs / 32767 : FLAT_SCALE_MV;
  const bytes = new Uint8Array(n * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const q = Math.round((samplesMv[i] ?? 0) / scaleMv);
    view.setInt16(i * 2, Math.max(-32768, Math.min(32767, q)), true);
  }
  return { bytes, scaleMv, nSamples: n };
}

export function decodeEcgInt16(bytes: Uint8Array, scaleMv: number): Float64Array {
  const n = bytes.byteLength >> 1;
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) * scaleMv;
  return out;
}

/** The stored int16 counts themselves (value in mV = count × the chunk's scale). */
export function decodeEcgCounts(bytes: Uint8Array): Int16Array {
  const n = bytes.byteLength >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
