import { SignalInputError } from '../errors.js';
import {
  BLOCK,
  ESCAPE_BITS,
  ESCAPE_Q,
  HEADER_BYTES,
  K_BITS,
  MAGIC,
  VERSION,
  predict,
  unzigzag,
} from './int16-lossless-format.js';

/** MSB-first bit reader that throws on reading past the end. */
class BitReader {
  private pos: number;
  private acc = 0;
  private nAcc = 0;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  /** Reads `n` (0–24) bits as an unsigned number. */
  read(n: number): number {
    while (this.nAcc < n) {
      if (this.pos >= this.bytes.length)
        throw new SignalInputError('TRUNCATED_DATA', 'bytes', 'int16 lossless stream ends early');
      this.acc = ((this.acc << 8) | (this.bytes[this.pos++] ?? 0)) & 0x7fffffff;
      this.nAcc += 8;
    }
    this.nAcc -= n;
    return (this.acc >>> this.nAcc) & ((1 << n) - 1);
  }
  /** Counts one bits up to the first zero, or up to `max` ones. */
  unary(max: number): number {
    let q = 0;
    while (q < max && this.read(1) === 1) q++;
    return q;
  }
}

/**
 * Decodes a stream of `encodeInt16Lossless` back to the exact int16 samples (channels one after
 * the other, as they were given). Throws `SignalInputError` (`UNSUPPORTED_FORMAT`) for a stream
 * that is not this format or of an unknown version, and (`TRUNCATED_DATA`) for one cut short.
 */
export function decodeInt16Lossless(bytes: Uint8Array): Int16Array {
  if (!(bytes instanceof Uint8Array))
    throw new SignalInputError('INVALID_ARGUMENT', 'bytes', 'bytes must be a Uint8Array');
  if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC)
    throw new SignalInputError('UNSUPPORTED_FORMAT', 'bytes', 'not an int16 lossless stream');
  if (bytes[1] !== VERSION)
    throw new SignalInputError(
      'UNSUPPORTED_FORMAT',
      'bytes',
      `int16 lossless stream version ${String(bytes[1])} (this decoder reads ${String(VERSION)})`,
    );
  const channels = bytes[2] ?? 0;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(3, true);
  if (channels < 1)
    throw new SignalInputError('UNSUPPORTED_FORMAT', 'bytes', 'int16 lossless stream of 0 channels');
  // Every sample takes at least one bit: a header claiming more is corrupt (and would allocate).
  if (channels * n > (bytes.length - HEADER_BYTES) * 8)
    throw new SignalInputError('TRUNCATED_DATA', 'bytes', 'int16 lossless stream ends early');
  const out = new Int16Array(channels * n);
  const r = new BitReader(bytes, HEADER_BYTES);
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    const order = r.read(2);
    for (let i = 0; i < Math.min(order, n); i++) out[base + i] = r.read(16); // wraps to int16
    for (let from = order; from < n; from += BLOCK) {
      const to = Math.min(n, from + BLOCK);
      const k = r.read(K_BITS);
      for (let i = from; i < to; i++) {
        const q = r.unary(ESCAPE_Q);
        const u = q < ESCAPE_Q ? q * 2 ** k + (k > 0 ? r.read(k) : 0) : r.read(ESCAPE_BITS);
        out[base + i] = unzigzag(u) + predict(out, base, i, order);
      }
    }
  }
  return out;
}
