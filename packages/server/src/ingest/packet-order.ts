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
 * - without sequence numbers, a clock that stepped back (an NTP correction, an RTC reset after a
 *   power cut) looks like late packets until it passes the old newest one: hours of a patient
 *   unanalysed and unalerted. So a packet more than `maxReorderMs` behind the last analysed one
 *   is held as the possible start of a new stream; `stepBackPackets` of them in a row, each
 *   continuing the previous one, that arrived over real time (their receive times span at least
 *   half their data time: a backlog sent in a burst does not), are released as a new stream,
 *   after a gap. Any packet that continues or passes the old stream meanwhile says the old clock
 *   is alive: the held ones are given up, as late (`stale`). A single stray old packet, or
 *   buffered old packets interleaved with live ones, therefore never restart the analysis.
 * No timer: a device that loses a packet for good delays its analysis by at most `maxHeld`
 * packets (3 s at 1 packet/s).
 */

export interface OrderedPacket {
  timestampMs: number;
  sequence: number | null;
  durationMs: number;
  /**
   * When the server received the packet (epoch ms); absent: unknown, and a stepped-back clock is
   * recognised without the real-time check.
   */
  receivedAtMs?: number;
}

export interface Released<T> {
  packet: T;
  /** Samples before this packet are missing: restart the streaming analysis. */
  gapBefore: boolean;
}

export interface PacketOrderer<T extends OrderedPacket> {
  /**
   * `late`: the offered packet is older than what was analysed (assess it without its stream
   * content). `stale`: packets held earlier as a possible stepped-back clock, given up because
   * the old stream went on: assess them as late too.
   */
  offer(packet: T): { released: Released<T>[]; late: boolean; stale: T[] };
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

export interface PacketOrdererOptions {
  /** Packets held waiting for a missing earlier one before giving up on it (default 3). */
  maxHeld?: number;
  /**
   * How far apart in time reorderings go, ms (default 5000): a packet further ahead is a device
   * that was off, one further behind a stray old packet or a clock that stepped back.
   */
  maxReorderMs?: number;
  /**
   * Contiguous packets far behind, in a row, that make a clock that stepped back (default 3, as
   * `maxHeld`: the count after which a sequence-numbered stream gives a missing packet up).
   */
  stepBackPackets?: number;
  /**
   * Least ratio of the receive-time span to the data-time span of those packets (default 0.5):
   * a clock that stepped back keeps sending in real time (ratio about 1), a backlog posted in a
   * burst does not (about 0). 0: no real-time check.
   */
  stepBackMinPace?: number;
}

export function createPacketOrderer<T extends OrderedPacket>(
  options: PacketOrdererOptions = {},
): PacketOrderer<T> {
  const maxHeld = options.maxHeld ?? 3;
  const maxReorderMs = options.maxReorderMs ?? 5000;
  const stepBackPackets = Math.max(1, options.stepBackPackets ?? 3);
  const stepBackMinPace = options.stepBackMinPace ?? 0.5;
  let last: OrderedPacket | null = null;
  const held: T[] = [];
  /** Packets far behind, each continuing the previous: a clock that may have stepped back. */
  const stepped: T[] = [];

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

  /**
   * A packet far behind the last analysed one (sequence-less): held as the possible start or
   * continuation of a stream whose clock stepped back; released as a new stream once
   * `stepBackPackets` contiguous ones arrived in real time.
   */
  const steppedBack = (p: T): { released: Released<T>[]; late: boolean; stale: T[] } => {
    const stale: T[] = [];
    const prev = stepped[stepped.length - 1];
    // Not the next of the run: the run was a stray old packet (or a few); this one starts anew.
    if (prev !== undefined && !follows(prev, p)) stale.push(...stepped.splice(0));
    stepped.push(p);
    // A run that came faster than real time is a backlog, not a live clock: the oldest goes.
    while (stepped.length >= stepBackPackets && !inRealTime(stepped)) {
      const oldest = stepped.shift();
      if (oldest !== undefined) stale.push(oldest);
    }
    if (stepped.length < stepBackPackets) return { released: [], late: false, stale };
    // The clock stepped back: what the old stream still held goes first (as drain would), then
    // the new stream, after a gap.
    const out = drainHeld();
    for (const [i, packet] of stepped.entries()) out.push({ packet, gapBefore: i === 0 });
    last = stepped[stepped.length - 1] ?? last;
    stepped.length = 0;
    return { released: out, late: false, stale };
  };
  const inRealTime = (run: readonly T[]): boolean => {
    const first = run[0];
    const end = run[run.length - 1];
    if (stepBackMinPace <= 0 || first === undefined || end === undefined) return true;
    if (first.receivedAtMs === undefined || end.receivedAtMs === undefined) return true;
    const dataSpanMs = end.timestampMs - first.timestampMs;
    return end.receivedAtMs - first.receivedAtMs >= stepBackMinPace * dataSpanMs;
  };
  const drainHeld = (): Released<T>[] => {
    const out: Released<T>[] = [];
    while (held.length > 0) {
      const first = held.shift();
      if (first === undefined) break;
      const gap = last === null || !follows(last, first);
      out.push({ packet: first, gapBefore: gap });
      last = first;
    }
    return out;
  };

  return {
    offer(p) {
      const out: Released<T>[] = [];
      if (last === null) {
        out.push({ packet: p, gapBefore: false });
        last = p;
        releaseContiguous(out);
        return { released: out, late: false, stale: [] };
      }
      if (behind(last, p)) {
        const bothSequenced = last.sequence !== null && p.sequence !== null;
        const farBehind = last.timestampMs + last.durationMs - p.timestampMs > maxReorderMs;
        if (bothSequenced || !farBehind) return { released: out, late: true, stale: [] };
        return steppedBack(p);
      }
      // The old stream goes on: what looked like a clock that stepped back was old packets.
      const stale = stepped.splice(0);
      if (follows(last, p)) {
        out.push({ packet: p, gapBefore: false });
        last = p;
        releaseContiguous(out);
        return { released: out, late: false, stale };
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
      return { released: out, late: false, stale };
    },
    drain() {
      // Packets held as a possible stepped-back clock are not part of the stream: the caller
      // assesses what drain returns in order, so they stay held (see `stale`).
      return drainHeld();
    },
    checkpoint() {
      const savedLast = last;
      const savedHeld = held.slice();
      const savedStepped = stepped.slice();
      return () => {
        last = savedLast;
        held.splice(0, held.length, ...savedHeld);
        stepped.splice(0, stepped.length, ...savedStepped);
      };
    },
    get held() {
      return held.length + stepped.length;
    },
    isHeld: (timestampMs) =>
      held.some((h) => h.timestampMs === timestampMs) ||
      stepped.some((h) => h.timestampMs === timestampMs),
    get lastTimestampMs() {
      return last === null ? null : last.timestampMs;
    },
    resumeAfter(packet) {
      if (last === null) last = { ...packet };
    },
  };
}
