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
});
