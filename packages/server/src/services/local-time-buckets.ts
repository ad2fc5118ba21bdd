/**
 * Hour and day buckets on a clinic's wall clock (an IANA time zone) from finer UTC buckets.
 *
 * A day in Europe/Paris starts at 23:00 or 22:00 UTC and lasts 23, 24 or 25 hours; an hour in
 * Asia/Kolkata starts at half past a UTC hour. Every UTC offset in use is a whole number of
 * quarter hours (IANA tz database: none other since 1972), so 15-minute UTC buckets fall each
 * wholly inside one local hour and one local day, and merging them gives the local buckets
 * exactly: counts and extremes add up, and a mean is re-weighted by its count.
 */
import type { Agg, SeriesBucketRow } from '../repositories/vitals.repository.js';

/** The UTC bucket the local ones are merged from: a quarter hour (see above). */
export const LOCAL_BASE_BUCKET_MS = 900_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** True when `tz` names a time zone this runtime knows (an IANA name such as Europe/Paris). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockOf(format: Intl.DateTimeFormat, t: number): WallClock {
  const p: Record<string, number> = {};
  for (const part of format.formatToParts(t)) p[part.type] = Number(part.value);
  return {
    year: p.year ?? NaN,
    month: p.month ?? NaN,
    day: p.day ?? NaN,
    // Some runtimes print midnight as hour 24 even with hourCycle h23.
    hour: (p.hour ?? NaN) % 24,
    minute: p.minute ?? NaN,
    second: p.second ?? NaN,
  };
}

/** The zone's offset from UTC at instant `t`, in ms (Paris in winter: +3,600,000). */
function offsetAt(format: Intl.DateTimeFormat, t: number): number {
  const w = wallClockOf(format, t);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The start (epoch ms) of the local hour or day holding instant `t`. A day starts at its local
 * midnight, found with the offset in force then (a DST change during the day moves the end,
 * not the start); where midnight itself is skipped (a change at 00:00) at the first instant
 * after it.
 */
function localBucketStart(format: Intl.DateTimeFormat, t: number, intervalMs: number): number {
  const w = wallClockOf(format, t);
  if (intervalMs === HOUR_MS) return t - (w.minute * 60 + w.second) * 1000 - (t % 1000);
  const midnightWall = Date.UTC(w.year, w.month - 1, w.day);
  const guess = midnightWall - offsetAt(format, t);
  return midnightWall - offsetAt(format, guess);
}

function mergeAgg(into: Agg, add: Agg): Agg {
  const count = into.count + add.count;
  const sum = (a: Agg) => (a.avg === null ? 0 : a.avg * a.count);
  return {
    min: into.min === null ? add.min : add.min === null ? into.min : Math.min(into.min, add.min),
    max: into.max === null ? add.max : add.max === null ? into.max : Math.max(into.max, add.max),
    avg: count === 0 ? null : (sum(into) + sum(add)) / count,
    count,
  };
}

export interface LocalBucketsOptions {
  /** 3,600,000 (local hours) or 86,400,000 (local days). */
  intervalMs: number;
  /** An IANA time zone name (checked with isTimeZone first). */
  timeZone: string;
}

/**
 * Merges UTC buckets of LOCAL_BASE_BUCKET_MS (oldest first, as the repository returns them)
 * into the local hours or days of `timeZone`, oldest first; each bucket's `time` is its local
 * start as epoch ms.
 */
export function mergeIntoLocalBuckets(
  rows: readonly SeriesBucketRow[],
  options: LocalBucketsOptions,
): SeriesBucketRow[] {
  const { intervalMs, timeZone } = options;
  if (intervalMs !== HOUR_MS && intervalMs !== DAY_MS)
    throw new RangeError(`intervalMs must be ${HOUR_MS} or ${DAY_MS}, got ${intervalMs}`);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const out = new Map<number, SeriesBucketRow>();
  for (const row of rows) {
    const time = localBucketStart(format, row.time, intervalMs);
    const known = out.get(time);
    out.set(
      time,
      known === undefined
        ? { ...row, time }
        : {
            time,
            packets: known.packets + row.packets,
            heart_rate_bpm: mergeAgg(known.heart_rate_bpm, row.heart_rate_bpm),
            spo2_percent: mergeAgg(known.spo2_percent, row.spo2_percent),
            temperature_c: mergeAgg(known.temperature_c, row.temperature_c),
          },
    );
  }
  return [...out.values()].sort((a, b) => a.time - b.time);
}
