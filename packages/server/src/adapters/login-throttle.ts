import type { Clock } from './clock.js';

export interface LoginThrottleOptions {
  /** Failed attempts allowed per account inside the window. */
  maxFailures: number;
  /** Window, and lockout length once exceeded, in seconds. */
  windowSeconds: number;
  clock: Clock;
  /** Accounts tracked at most (oldest forgotten first), bounding memory under a spray attack. */
  maxEntries?: number;
}

export interface LoginThrottle {
  /** Seconds until the account may try again, or 0 when it may try now. */
  retryAfter(account: string): number;
  recordFailure(account: string): void;
  reset(account: string): void;
}

/**
 * Per-account brute-force guard (OWASP Authentication Cheat Sheet, "account lockout"): after
 * `maxFailures` failed sign-ins within the window the account is refused until the window ends.
 * It complements the per-IP rate limit, which a distributed attack would evade. In-memory, so per
 * process: a cluster shares the per-IP limit only.
 */
export function createLoginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const windowMs = options.windowSeconds * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { failures: number; windowStart: number }>();
  const live = (account: string) => {
    const entry = entries.get(account);
    if (entry === undefined) return undefined;
    if (options.clock.now() - entry.windowStart >= windowMs) {
      entries.delete(account);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfter(account) {
      const entry = live(account);
      if (entry === undefined || entry.failures < options.maxFailures) return 0;
      return Math.ceil((entry.windowStart + windowMs - options.clock.now()) / 1000);
    },
    recordFailure(account) {
      const entry = live(account);
      if (entry === undefined) {
        if (entries.size >= maxEntries) {
          const oldest = entries.keys().next();
          if (oldest.done !== true) entries.delete(oldest.value);
        }
        entries.set(account, { failures: 1, windowStart: options.clock.now() });
      } else {
        entry.failures += 1;
      }
    },
    reset(account) {
      entries.delete(account);
    },
  };
}
