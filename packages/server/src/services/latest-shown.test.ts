import { describe, expect, it } from 'vitest';
import { LATEST_HOLD_MS, latestShown } from './latest-shown.js';

const row = (ts: number, receivedAt: number) => ({ ts, received_at: receivedAt });
const at = (r: { received_at: number }) => r.received_at;

describe('latestShown', () => {
  it('shows the packet stamped latest while packets stamped earlier arrive within the hold', () => {
    const live = row(1_000_000, 5_000_000);
    const lateRetry = row(990_000, 5_000_000 + LATEST_HOLD_MS);
    expect(latestShown(live, lateRetry, at)).toBe(live);
  });

  it('follows packets stamped earlier once they keep coming past the hold (a clock stepped back)', () => {
    const beforeStep = row(1_000_000, 5_000_000);
    const stepped = row(1_000_000 - 3 * 3_600_000, 5_000_000 + LATEST_HOLD_MS + 1);
    expect(latestShown(beforeStep, stepped, at)).toBe(stepped);
  });

  it('shows the same packet when it is both stamped and received last', () => {
    const only = row(1, 2);
    expect(latestShown(only, only, at)).toBe(only);
  });

  it('shows whichever exists when the other read found none', () => {
    const r = row(1, 2);
    expect(latestShown(undefined, r, at)).toBe(r);
    expect(latestShown(r, undefined, at)).toBe(r);
    expect(latestShown(undefined, undefined, at)).toBeUndefined();
  });
});
