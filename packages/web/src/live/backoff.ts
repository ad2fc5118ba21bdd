/**
 * Reconnect delay: exponential from `baseMs`, capped at `maxMs`, with "full jitter" (a uniform
 * draw below the cap) so that many dashboards reconnecting after a server restart do not arrive
 * together (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015).
 */
export function reconnectDelayMs(
  attempt: number,
  options: { baseMs?: number; maxMs?: number; random?: () => number } = {},
): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError('attempt must be ≥ 0');
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 15_000;
  const random = options.random ?? Math.random;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.max(base / 2, cap * random());
}
