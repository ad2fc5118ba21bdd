/**
 * Per-device reordering of packets before streaming analysis. Packets are stored as they come,
 * but the streaming analyser needs contiguous samples in time order, so:
 * - a packet that continues the last analysed one (next `sequence`, or — without sequence
 *   numbers — a timestamp within half a packet of the previous packet's end) is released at once;
 * - a packet that leaves a gap is held until the gap fills, or until `maxHeld` packets wait, when
 *   the held ones are released in time order with `gapBefore` set (the analyser restarts there:
 *   samples on both sides of a gap are not one signal);
 * - a packet older than what was already analysed is `late`: it is stored but not analysed
 *   (feeding it would corrupt the streaming state of later beats). With sequence numbers, older
 *   means a lower sequence at an earlier time; a lower one at a later time is a counter that
 *   started over (a reboot) and continues the stream after a gap.
 * - a packet more than `maxReorderMs` after the last analysed one is not a reordering but a
 *   device that was off: it (and anything held before it) is released at once, with the gap.
 * No timer: a device that loses a packet for good delays its analysis by at most `maxHeld`
 * packets (3 s at 1 packet/s).
 */

export interface OrderedPacket {
  timestampMs: number;
  sequence: number | null;
  durationMs: number;
}

export interface Released<T> {
  packet: T;
  /** Samples before this packet are missing: restart the streaming analysis. */
  gapBefore: boolean;
}

export interface PacketOrderer<T extends OrderedPacket> {
  offer(packet: T): { released: Released<T>[]; late: boolean };
  /** Releases everything held (e.g. at shutdown or device eviction). */
  drain(): Released<T>[];
  /**
   * Captures the current state; the returned function puts it back. Ingest calls it when the
   * packets offered since could not be stored: they must not stay held, nor count as analysed.
   */
  checkpoint(): () => void;
  readonly held: number;
  /** Whether a packet of this timestamp is held (waiting for an earlier one). */
  isHeld(timestampMs: number): boolean;
  /** Timestamp of the last packet released (null before the first). */
  readonly lastTimestampMs: number | null;
  /**
   * Continues after `packet`, released elsewhere (a new owner of the device that rebuilt its
   * analysis from stored packets); only before the first offer.
   */
  resumeAfter(packet: OrderedPacket): void;
}

/** Clock disagreement tolerated between consecutive sequence numbers, ms (see `follows`). */
const SEQUENCE_CLOCK_SLACK_MS = 2000;

export function createPacketOrderer<T extends OrderedPacket>(
  options: { maxHeld?: number; maxReorderMs?: number } = {},
): PacketOrderer<T> {
  const maxHeld = options.maxHeld ?? 3;
  const maxReorderMs = options.maxReorderMs ?? 5000;
  let last: OrderedPacket | null = null;
  const held: T[] = [];

  const follows = (prev: OrderedPacket, p: OrderedPacket): boolean => {
    const end = prev.timestampMs + prev.durationMs;
    if (prev.sequence !== null && p.sequence !== null) {
      // The next sequence number, unless the clock says samples are missing in between (a device
      // that was off or re-attached and kept counting). The tolerance is loose because device
      // timestamps may be coarse (whole seconds) or stamped at send time.
      return (
        p.sequence === prev.sequence + 1 &&
        Math.abs(p.timestampMs - end) <= Math.max(2 * prev.durationMs, SEQUENCE_CLOCK_SLACK_MS)
      );
    }
    return Math.abs(p.timestampMs - end) <= prev.durationMs / 2;
  };
  const behind = (prev: OrderedPacket, p: OrderedPacket): boolean => {
    const older = p.timestampMs < prev.timestampMs + prev.durationMs / 2;
    // A lower sequence stamped after the last analysed packet is a counter that started over (a
    // reboot, a wrap-around), not a late copy: taken as late, a rebooted device went unanalysed
    // and unalerted until its counter passed the old one.
    if (prev.sequence !== null && p.sequence !== null) return p.sequence <= prev.sequence && older;
    return older;
  };

  const releaseContiguous = (out: Released<T>[]): void => {
    let progressed = true;
    while (progressed && held.length > 0) {
      progressed = false;
      const next = held[0];
      if (next !== undefined && last !== null && follows(last, next)) {
        held.shift();
        out.push({ packet: next, gapBefore: false });
        last = next;
        progressed = true;
      }
    }
  };

  return {
    offer(p) {
      const out: Released<T>[] = [];
      if (last === null) {
        out.push({ packet: p, gapBefore: false });
        last = p;
        releaseContiguous(out);
        return { released: out, late: false };
      }
      if (behind(last, p)) return { released: out, late: true };
      if (follows(last, p)) {
        out.push({ packet: p, gapBefore: false });
        last = p;
        releaseContiguous(out);
        return { released: out, late: false };
      }
      // Gap: hold in time order (a duplicate of a held packet replaces nothing).
      if (!held.some((h) => h.timestampMs === p.timestampMs)) {
        held.push(p);
        held.sort((a, b) => a.timestampMs - b.timestampMs);
      }
      const lastEnd = last.timestampMs + last.durationMs;
      const farAhead = p.timestampMs - lastEnd > maxReorderMs;
      while (held.length > maxHeld || (farAhead && held.length > 0)) {
        const first = held.shift();
        if (first === undefined) break;
        out.push({ packet: first, gapBefore: true });
        last = first;
        releaseContiguous(out);
      }
      return { released: out, late: false };
    },
    drain() {
      const out: Released<T>[] = [];
      while (held.length > 0) {
        const first = held.shift();
        if (first === undefined) break;
        const gap = last === null || !follows(last, first);
        out.push({ packet: first, gapBefore: gap });
        last = first;
      }
      return out;
    },
    checkpoint() {
      const savedLast = last;
      const savedHeld = held.slice();
      return () => {
        last = savedLast;
        held.splice(0, held.length, ...savedHeld);
      };
    },
    get held() {
      return held.length;
    },
    isHeld: (timestampMs) => held.some((h) => h.timestampMs === timestampMs),
    get lastTimestampMs() {
      return last === null ? null : last.timestampMs;
    },
    resumeAfter(packet) {
      if (last === null) last = { ...packet };
    },
  };
}
