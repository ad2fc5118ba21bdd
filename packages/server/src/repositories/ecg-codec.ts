import { decodeInt16Lossless, encodeInt16Lossless } from '@vigil/signal';

/**
 * Compact binary encoding of an ECG chunk: int16 samples with a per-chunk scale (mV per count).
 * A 1 s, 250 Hz chunk is 500 bytes of raw little-endian int16 instead of ~2.5 kB of JSON text,
 * and about 380 bytes once packed losslessly (`packEcgCounts`, `npm run bench:storage`).
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

/**
 * A stored chunk's samples in mV: `bytes` as `decodeEcgCounts` reads them (raw or packed), each
 * count times `scaleMv`.
 */
export function decodeEcgInt16(bytes: Uint8Array, scaleMv: number): Float64Array {
  const counts = decodeEcgCounts(bytes);
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = (counts[i] ?? 0) * scaleMv;
  return out;
}

/**
 * The stored blob of int16 counts (`channels` leads one after the other, each of the same
 * length): the lossless stream of `encodeInt16Lossless` (@vigil/signal) when it is smaller,
 * else the raw little-endian counts. The stream's length is always odd and raw counts' always
 * even, so `decodeEcgCounts` tells them apart; blobs written before packing are raw and read
 * unchanged.
 */
export function packEcgCounts(raw: Uint8Array, channels = 1): Uint8Array {
  const packed = encodeInt16Lossless(decodeRaw(raw), { channels });
  return packed.byteLength < raw.byteLength ? packed : raw;
}

/**
 * The stored int16 counts themselves (value in mV = count × the chunk's scale), from either
 * form `packEcgCounts` stores: packed (odd length) or raw little-endian (even length).
 */
export function decodeEcgCounts(bytes: Uint8Array): Int16Array {
  return bytes.byteLength % 2 === 1 ? decodeInt16Lossless(bytes) : decodeRaw(bytes);
}

function decodeRaw(bytes: Uint8Array): Int16Array {
  const n = bytes.byteLength >> 1;
  const out = new Int16Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}
