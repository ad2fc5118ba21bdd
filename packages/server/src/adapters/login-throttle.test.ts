import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { createLoginThrottle } from './login-throttle.js';

describe('login throttle', () => {
  it('locks after maxFailures within the window and reports the seconds left', () => {
    const clock = new ManualClock(0);
    const throttle = createLoginThrottle({ maxFailures: 3, windowSeconds: 60, clock });
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfter('a')).toBe(0);
      throttle.recordFailure('a');
      clock.advance(1000);
    }
    expect(throttle.retryAfter('a')).toBe(57);
    expect(throttle.retryAfter('b')).toBe(0);
    clock.advance(57_000);
    expect(throttle.retryAfter('a')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const clock = new ManualClock(0);
    const throttle = createLoginThrottle({ maxFailures: 2, windowSeconds: 60, clock });
    throttle.recordFailure('a');
    throttle.reset('a');
    throttle.recordFailure('a');
    expect(throttle.retryAfter('a')).toBe(0);
  });

  it('bounds memory by forgetting the oldest accounts', () => {
    const clock = new ManualClock(0);
    const throttle = createLoginThrottle({
      maxFailures: 1,
      windowSeconds: 60,
      clock,
      maxEntries: 2,
    });
    for (const account of ['a', 'b', 'c']) throttle.recordFailure(account);
    expect(throttle.retryAfter('a')).toBe(0);
    expect(throttle.retryAfter('c')).toBe(60);
  });
});
