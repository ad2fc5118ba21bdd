import { describe, expect, it } from 'vitest';
import { createPacketOrderer, type OrderedPacket } from './packet-order.js';

const pkt = (second: number, sequence: number | null = second): OrderedPacket => ({
  timestampMs: 1_700_000_000_000 + second * 1000,
  sequence,
  durationMs: 1000,
});
const seqs = (r: { packet: OrderedPacket; gapBefore: boolean }[]): string[] =>
  r.map(
    (x) =>
      `${x.packet.sequence ?? (x.packet.timestampMs - 1_700_000_000_000) / 1000}${x.gapBefore ? '!' : ''}`,
  );

describe('createPacketOrderer', () => {
  it('releases in-order packets immediately', () => {
    const o = createPacketOrderer();
    expect([0, 1, 2].flatMap((s) => seqs(o.offer(pkt(s)).released))).toEqual(['0', '1', '2']);
  });

  it('holds a packet that arrives early and releases both in time order when the gap fills', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0));
    expect(o.offer(pkt(2)).released).toEqual([]);
    expect(seqs(o.offer(pkt(1)).released)).toEqual(['1', '2']);
  });

  it('orders by timestamp when devices send no sequence numbers', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0, null));
    expect(o.offer(pkt(2, null)).released).toEqual([]);
    expect(seqs(o.offer(pkt(1, null)).released)).toEqual(['1', '2']);
  });

  it('gives up on a lost packet after maxHeld and marks the gap', () => {
    const o = createPacketOrderer({ maxHeld: 2 });
    o.offer(pkt(0));
    expect(o.offer(pkt(2)).released).toEqual([]);
    expect(o.offer(pkt(3)).released).toEqual([]);
    expect(seqs(o.offer(pkt(4)).released)).toEqual(['2!', '3', '4']);
  });

  it('releases at once after a long silence (a device that was off, not a reordering)', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0));
    expect(seqs(o.offer(pkt(60)).released)).toEqual(['60!']);
    expect(seqs(o.offer(pkt(61)).released)).toEqual(['61']);
  });

  it('restarts at the next sequence number when the clock jumped: samples are missing', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0, 0));
    o.offer(pkt(1, 1));
    // Sequence 2 stamped 10 s after sequence 1 ended: the device was off and kept counting.
    expect(seqs(o.offer(pkt(12, 2)).released)).toEqual(['2!']);
    expect(seqs(o.offer(pkt(13, 3)).released)).toEqual(['3']);
  });

  it('tolerates coarse device clocks between consecutive sequence numbers', () => {
    const o = createPacketOrderer();
    const at = (ms: number, sequence: number): OrderedPacket => ({
      timestampMs: 1_700_000_000_000 + ms,
      sequence,
      durationMs: 500,
    });
    // Half-second packets stamped in whole seconds: 0, 0, 1, 1, 2 s.
    const released = [0, 0, 1000, 1000, 2000].flatMap((ms, i) => seqs(o.offer(at(ms, i)).released));
    expect(released).toEqual(['0', '1', '2', '3', '4']);
  });

  it('flags a packet older than the analysed ones as late', () => {
    const o = createPacketOrderer();
    o.offer(pkt(5));
    o.offer(pkt(6));
    const r = o.offer(pkt(3));
    expect(r.late).toBe(true);
    expect(r.released).toEqual([]);
  });

  it('takes a sequence that starts over with the clock going on for a reboot, not a late packet', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0, 500));
    o.offer(pkt(1, 501));
    // Rebooted: counting from 0 again, 10 s later.
    const r = o.offer(pkt(11, 0));
    expect(r.late).toBe(false);
    expect(seqs(r.released)).toEqual(['0!']);
    expect(seqs(o.offer(pkt(12, 1)).released)).toEqual(['1']);
  });

  it('still flags a lower sequence at an older time as late', () => {
    const o = createPacketOrderer();
    o.offer(pkt(10, 500));
    o.offer(pkt(11, 501));
    expect(o.offer(pkt(9, 499)).late).toBe(true);
    expect(o.offer(pkt(11, 501)).late).toBe(true);
  });

  it('drains held packets in time order', () => {
    const o = createPacketOrderer();
    o.offer(pkt(0));
    o.offer(pkt(3));
    o.offer(pkt(2));
    expect(seqs(o.drain())).toEqual(['2!', '3']);
    expect(o.held).toBe(0);
  });

  describe('a sequence-less clock that stepped back', () => {
    // 1 s packets received in real time: `at` is the receive second, `stamped` the device's.
    const live = (stamped: number, at = stamped): OrderedPacket => ({
      ...pkt(stamped, null),
      receivedAtMs: 1_700_000_000_000 + at * 1000,
    });
    const HOURS_3 = 3 * 3600;

    it('is analysed as a new stream, after a gap, once three contiguous packets far behind came in real time', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      // The clock stepped back 3 h at second 3 (an NTP correction, an RTC reset).
      const first = o.offer(live(3 - HOURS_3, 3));
      expect(first).toEqual({ released: [], late: false, stale: [] });
      expect(o.isHeld(pkt(3 - HOURS_3).timestampMs)).toBe(true);
      expect(o.offer(live(4 - HOURS_3, 4)).released).toEqual([]);
      const third = o.offer(live(5 - HOURS_3, 5));
      expect(seqs(third.released)).toEqual([
        `${String(3 - HOURS_3)}!`,
        String(4 - HOURS_3),
        String(5 - HOURS_3),
      ]);
      expect(third.stale).toEqual([]);
      expect(o.held).toBe(0);
      // The new stream goes on packet by packet.
      expect(seqs(o.offer(live(6 - HOURS_3, 6)).released)).toEqual([String(6 - HOURS_3)]);
      expect(o.lastTimestampMs).toBe(pkt(6 - HOURS_3).timestampMs);
    });

    it('takes a single stray old packet for late once the old stream goes on, without a restart', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      const stray = live(-3600, 3);
      expect(o.offer(stray)).toEqual({ released: [], late: false, stale: [] });
      const next = o.offer(live(3, 4));
      expect(seqs(next.released)).toEqual(['3']);
      expect(next.stale).toEqual([stray]);
      expect(o.held).toBe(0);
    });

    it('gives buffered old packets interleaved with live ones up as late, and never restarts the live stream', () => {
      const o = createPacketOrderer();
      o.offer(live(0));
      const released: string[] = [];
      let stale = 0;
      for (let k = 1; k <= 10; k++) {
        // Ten minutes old, contiguous with each other, one between every two live packets.
        const old = o.offer(live(k - 600, k));
        const now = o.offer(live(k, k));
        released.push(...seqs(old.released), ...seqs(now.released));
        stale += old.stale.length + now.stale.length;
      }
      expect(released).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(stale).toBe(10);
    });

    it('does not take a backlog posted in a burst for a stepped-back clock', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      // Twelve contiguous packets ten minutes old, all received at second 3.
      let stale = 0;
      for (let k = 0; k < 12; k++) {
        const r = o.offer(live(k - 600, 3));
        expect(r.released).toEqual([]);
        stale += r.stale.length;
      }
      expect(stale).toBe(10);
      const next = o.offer(live(3, 4));
      expect(seqs(next.released)).toEqual(['3']);
      expect(next.stale).toHaveLength(2);
    });

    it('takes a backlog in a burst for a stepped-back clock without the real-time check (stepBackMinPace 0)', () => {
      const o = createPacketOrderer({ stepBackMinPace: 0 });
      for (const s of [0, 1, 2]) o.offer(live(s));
      const released = [0, 1, 2].flatMap((k) => seqs(o.offer(live(k - 600, 3)).released));
      expect(released).toEqual(['-600!', '-599', '-598']);
    });

    it('is taken across two batches when a stepped-back device posts its packets in batches', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      // Packets 0-9 after the step received at second 10, packets 10-19 at second 20.
      const released: string[] = [];
      let stale = 0;
      for (let k = 0; k < 20; k++) {
        const r = o.offer(live(k - HOURS_3, k < 10 ? 10 : 20));
        released.push(...seqs(r.released));
        stale += r.stale.length;
      }
      // Within a batch no run is in real time; the last two of the first batch and the first of
      // the second span 10 s of receive time for 2 s of data.
      expect(stale).toBe(8);
      expect(released[0]).toBe(`${String(8 - HOURS_3)}!`);
      expect(released).toHaveLength(12);
    });

    it('goes back to the old timeline for one packet of it, and needs three packets to take the new one again', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      for (const k of [0, 1, 2]) o.offer(live(k - HOURS_3, 3 + k));
      // A packet of the old timeline (a delayed one): more than 5 s ahead, released at once.
      expect(seqs(o.offer(live(3, 6)).released)).toEqual(['3!']);
      expect(o.offer(live(3 - HOURS_3, 7)).released).toEqual([]);
      expect(o.offer(live(4 - HOURS_3, 8)).released).toEqual([]);
      expect(seqs(o.offer(live(5 - HOURS_3, 9)).released)).toEqual([
        `${String(3 - HOURS_3)}!`,
        String(4 - HOURS_3),
        String(5 - HOURS_3),
      ]);
    });

    it('still takes a packet a few seconds behind for late, not for a new stream', () => {
      const o = createPacketOrderer();
      for (const s of [10, 11, 12]) o.offer(live(s));
      // 13 - 9 = 4 s behind the end of the last: within maxReorderMs (5 s).
      expect(o.offer(live(9, 13))).toEqual({ released: [], late: true, stale: [] });
    });

    it('is recognised after a new owner resumed after the old stream (rebuilt from stored packets)', () => {
      const o = createPacketOrderer();
      o.resumeAfter(pkt(2, null));
      o.offer(live(-HOURS_3, 3));
      o.offer(live(1 - HOURS_3, 4));
      expect(seqs(o.offer(live(2 - HOURS_3, 5)).released)).toEqual([
        `${String(-HOURS_3)}!`,
        String(1 - HOURS_3),
        String(2 - HOURS_3),
      ]);
    });

    it('puts a run back with the checkpoint when the request could not be stored', () => {
      const o = createPacketOrderer();
      for (const s of [0, 1, 2]) o.offer(live(s));
      o.offer(live(-HOURS_3, 3));
      const restore = o.checkpoint();
      o.offer(live(1 - HOURS_3, 4));
      restore();
      expect(o.held).toBe(1);
      expect(o.offer(live(1 - HOURS_3, 4)).released).toEqual([]);
      expect(o.offer(live(2 - HOURS_3, 5)).released).toHaveLength(3);
    });

    it('keeps taking a lower sequence at an older time for late (sequence numbers say it is old)', () => {
      const o = createPacketOrderer();
      o.offer(pkt(100, 500));
      for (const k of [0, 1, 2, 3]) expect(o.offer(pkt(k - HOURS_3, 400 + k)).late).toBe(true);
    });
  });
});
