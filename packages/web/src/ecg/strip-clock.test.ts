import { describe, expect, it } from 'vitest';
import { StripClock } from './strip-clock.js';

describe('StripClock', () => {
  it('has no time before the first chunk', () => {
    expect(new StripClock().now(1000)).toBeNull();
  });

  it('runs one packet plus the margin behind the data, whatever the device clock says', () => {
    const clock = new StripClock({ marginMs: 250 });
    // Device clock is 1 h behind the browser; the chunk [0, 1000) arrives 50 ms after it ended.
    const skew = 3_600_000;
    clock.observe(1000, 1000, 1000 + skew + 50);
    expect(clock.now(1000 + skew + 50)).toBe(1000 - 1000 - 250);
  });

  it('smooths jitter in arrival times', () => {
    const clock = new StripClock({ marginMs: 0, smoothing: 0.5 });
    clock.observe(1000, 1000, 1100); // delay 1100
    clock.observe(2000, 1000, 2300); // delay 1300 → halfway: 1200
    expect(clock.now(5000)).toBe(3800);
  });

  it('jumps instead of drifting when the delay changes by more than the reset bound', () => {
    const clock = new StripClock({ marginMs: 0, resetAfterMs: 5000 });
    clock.observe(1000, 1000, 1000);
    clock.observe(2000, 1000, 62_000); // device reconnected after a minute
    expect(clock.now(62_000)).toBe(2000 - 1000);
  });
});
