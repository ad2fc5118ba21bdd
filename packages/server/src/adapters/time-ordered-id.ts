import { randomFillSync } from 'node:crypto';

/** Random bytes drawn per refill: one syscall serves ~400 ids instead of one each. */
const POOL_BYTES = 4096;

/**
 * A generator of UUID version 7 identifiers (RFC 9562 §5.7): 48 bits of Unix time in ms, then a
 * 12-bit counter that keeps ids of the same millisecond in creation order (§6.2, method 1), then
 * 62 random bits. Used for the rows the ingest path writes at high rate (vitals, predictions,
 * alerts): a random (v4) primary key puts each insert on a random leaf of the key's B-tree, so a
 * group commit of n packets dirtied about n pages per index and wrote them all to the WAL; with
 * time-ordered keys the inserts append to the same rightmost pages. User and device ids stay v4:
 * they are created rarely and a v7 id would reveal when an account was made.
 *
 * Each generator keeps its own monotonic state (the composition root makes one). If the clock
 * steps back, ids continue from the last timestamp so they never go backwards.
 */
export function createTimeOrderedIdGenerator(now: () => number = Date.now): () => string {
  const pool = Buffer.alloc(POOL_BYTES);
  let poolAt = POOL_BYTES;
  let lastMs = -1;
  let counter = 0;
  const bytes = Buffer.alloc(16);
  return () => {
    let ms = Math.max(Math.floor(now()), lastMs);
    if (ms === lastMs) {
      counter++;
      // 4,096 ids in one millisecond: borrow the next millisecond rather than wrap.
      if (counter > 0xfff) {
        ms++;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    if (poolAt + 8 > POOL_BYTES) {
      randomFillSync(pool);
      poolAt = 0;
    }
    // 48-bit big-endian timestamp (2^48 ms reaches the year 10889).
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    pool.copy(bytes, 8, poolAt, poolAt + 8);
    poolAt += 8;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // variant 10xx
    const h = bytes.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}
