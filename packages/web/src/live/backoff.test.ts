import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';

describe('reconnect backoff', () => {
  it('doubles the cap with each attempt', () => {
    const top = () => 1;
    expect(reconnectDelayMs(0, { random: top })).toBe(500);
    expect(reconnectDelayMs(3, { random: top })).toBe(4000);
  });

  it('never waits longer than the maximum', () => {
    expect(reconnectDelayMs(40, { random: () => 1 })).toBe(15_000);
  });

  it('never retries sooner than half the base delay', () => {
    expect(reconnectDelayMs(5, { random: () => 0 })).toBe(250);
  });

  it('rejects a negative attempt', () => {
    expect(() => reconnectDelayMs(-1)).toThrow(RangeError);
  });
});
