/**
 * The lossless int16 stream format shared by `encodeInt16Lossless` and `decodeInt16Lossless`
 * (internal: the two functions are the public surface).
 *
 * Layout (version 1):
 * - byte 0: magic 0xEC; byte 1: version (1); byte 2: channels (1–255); bytes 3–6: samples per
 *   channel, uint32 little-endian;
 * - then a bit stream, most significant bit first, one channel after the other. Per channel:
 *   2 bits predictor order p (0–3, fixed polynomial predictors as in Shorten/FLAC: 0, x[i−1],
 *   2x[i−1]−x[i−2], 3x[i−1]−3x[i−2]+x[i−3]); the first p samples verbatim (16 bits, two's
 *   complement); then the residuals x − prediction, zigzag-mapped to unsigned (0, −1, 1, −2 …
 *   → 0, 1, 2, 3 …) and Rice-coded in blocks of `BLOCK` samples, each block led by its 5-bit
 *   Rice parameter k. A value u is coded as q = u >> k ones, a zero, and the k low bits of u;
 *   a quotient of `ESCAPE_Q` or more is coded as `ESCAPE_Q` ones followed by u in `ESCAPE_BITS`
 *   bits (bounds the code of an outlier);
 * - zero bits to the byte boundary, then one zero byte more when needed to make the total
 *   length odd. A little-endian int16 array always has an even length, so a stored blob of odd
 *   length is this stream and one of even length is raw samples: old and new blobs tell
 *   themselves apart without another column.
 */
export const MAGIC = 0xec;
export const VERSION = 1;
export const HEADER_BYTES = 7;
export const BLOCK = 32;
export const K_BITS = 5;
export const ESCAPE_Q = 24;
/**
 * The largest order-3 residual of int16 input is |x| + |3a − 3b + c| ≤ 8 × 32768 = 2^18, so its
 * zigzag code is below 2^19 + 1: 20 bits hold it.
 */
export const ESCAPE_BITS = 20;
export const MAX_ORDER = 3;

/** Zigzag: signed → unsigned, small magnitudes to small codes (|r| < 2^30, as residuals are). */
export function zigzag(r: number): number {
  return ((r << 1) ^ (r >> 31)) >>> 0;
}

export function unzigzag(u: number): number {
  return (u >>> 1) ^ -(u & 1);
}
