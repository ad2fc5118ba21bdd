/**
 * The instant the scrolling strip shows at its right edge. Packets arrive about once a second,
 * each carrying the second that just ended, so drawing "now" would leave the newest second empty
 * and then fill it in jerks. The clock instead runs one packet behind the data, tracking the
 * device-to-browser delay with an exponential moving average so that device clock skew and
 * network latency do not matter.
 */
export class StripClock {
  private delayMs: number | null = null;

  constructor(
    private readonly options: { smoothing?: number; marginMs?: number; resetAfterMs?: number } = {},
  ) {}

  /** Records that a chunk ending at `chunkEndMs` (device clock) arrived at `arrivalMs` (local). */
  observe(chunkEndMs: number, chunkDurationMs: number, arrivalMs: number): void {
    const delay = arrivalMs - chunkEndMs + chunkDurationMs + (this.options.marginMs ?? 250);
    const alpha = this.options.smoothing ?? 0.2;
    const reset = this.options.resetAfterMs ?? 5000;
    if (this.delayMs === null || Math.abs(delay - this.delayMs) > reset) this.delayMs = delay;
    else this.delayMs += alpha * (delay - this.delayMs);
  }

  /** The device-clock instant to draw at the right edge, or null before any data arrived. */
  now(localMs: number): number | null {
    return this.delayMs === null ? null : localMs - this.delayMs;
  }
}
