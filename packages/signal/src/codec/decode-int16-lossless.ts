import { SignalInputError } from '../errors.js';
import {
  BLOCK,
  ESCAPE_BITS,
  ESCAPE_Q,
  HEADER_BYTES,
  K_BITS,
  MAGIC,
  VERSION,
  unzigzag,
} from './int16-lossless-format.js';

/**
 * MSB-first bit reader by bit position: `peek` gives the next 32 bits (zeros past the end), so a
 * unary code is counted with one `Math.clz32`. Reading past the end is caught by `check`.
 */
class BitReader {
  pos: number;
  private readonly bits: number;
  constructor(
    private readonly bytes: Uint8Array,
    startByte: number,
  ) {
    this.pos = startByte * 8;
    this.bits = bytes.length * 8;
  }
  private byte(i: number): number {
    return this.bytes[i] ?? 0;
  }
  /** The next 32 bits, as an unsigned number (not consumed). */
  peek(): number {
    const i = this.pos >>> 3;
    const r = this.pos & 7;
    const hi =
      ((this.byte(i) << 24) |
        (this.byte(i + 1) << 16) |
        (this.byte(i + 2) << 8) |
        this.byte(i + 3)) >>>
      0;
    return r === 0 ? hi : ((hi << r) | (this.byte(i + 4) >>> (8 - r))) >>> 0;
  }
  /** Reads `n` (1–24) bits as an unsigned number. */
  read(n: number): number {
    const v = this.peek() >>> (32 - n);
    this.pos += n;
    return v;
  }
  /** Throws when the reads so far went past the end of the stream. */
  check(): void {
    if (this.pos > this.bits)
      throw new SignalInputError('TRUNCATED_DATA', 'bytes', 'int16 lossless stream ends early');
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
    throw new SignalInputError(
      'UNSUPPORTED_FORMAT',
      'bytes',
      'int16 lossless stream of 0 channels',
    );
  // Every sample takes at least one bit: a header claiming more is corrupt (and would allocate).
  if (channels * n > (bytes.length - HEADER_BYTES) * 8)
    throw new SignalInputError('TRUNCATED_DATA', 'bytes', 'int16 lossless stream ends early');
  const out = new Int16Array(channels * n);
  const r = new BitReader(bytes, HEADER_BYTES);
  for (let c = 0; c < channels; c++) {
    const base = c * n;
    const order = r.read(2);
    for (let i = 0; i < Math.min(order, n); i++) out[base + i] = r.read(16); // wraps to int16
    // The last three samples, for the predictor.
    let a = order >= 1 ? (out[base + order - 1] ?? 0) : 0;
    let b = order >= 2 ? (out[base + order - 2] ?? 0) : 0;
    let cc = order >= 3 ? (out[base + order - 3] ?? 0) : 0;
    for (let from = order; from < n; from += BLOCK) {
      const to = Math.min(n, from + BLOCK);
      const k = r.read(K_BITS);
      for (let i = from; i < to; i++) {
        const q = Math.min(Math.clz32(~r.peek()), ESCAPE_Q);
        let u: number;
        if (q < ESCAPE_Q) {
          r.pos += q + 1;
          u = k > 0 ? (q << k) | r.read(k) : q;
        } else {
          r.pos += ESCAPE_Q;
          u = r.read(ESCAPE_BITS);
        }
        const p = order === 0 ? 0 : order === 1 ? a : order === 2 ? 2 * a - b : 3 * a - 3 * b + cc;
        const x = unzigzag(u) + p;
        out[base + i] = x;
        cc = b;
        b = a;
        a = x;
      }
      r.check();
    }
  }
  return out;
}
