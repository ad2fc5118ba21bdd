import { validationFailed } from '../errors/catalogue.js';

/** Timestamps below this are epoch seconds, above it epoch ms (see @vigil/protocol vitals.ts). */
export const SECONDS_MS_BOUNDARY = 1e11;
/** A device clock more than a day ahead of the server is wrong, not early. */
export const MAX_FUTURE_MS = 86_400_000;
/** Before 2000-01-01 means an unset device clock (ESP32 without NTP counts from 1970). */
export const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);

/**
 * Before 2020-01-01 a device clock is not synchronised: the cardiac-monitor ESP32 (seed 000)
 * sends `time(nullptr)` before its first NTP answer, i.e. seconds since boot, read as 1970.
 */
export const MIN_SYNCED_TIMESTAMP_MS = Date.UTC(2020, 0, 1);

/**
 * How far from a whole millisecond a timestamp in seconds may land once multiplied by 1000 and
 * still be read as that millisecond: binary floating point alone puts 1796682000.123 s at
 * 1796682000122.99997 ms (a double near 1.8e12 has a spacing of 2.4e-4).
 */
const SECONDS_ROUNDING_MS = 1e-3;

/** Converts a device timestamp (s or ms) to epoch ms, rounded to the millisecond. */
export function toEpochMs(timestamp: number): number {
  return Math.round(timestamp < SECONDS_MS_BOUNDARY ? timestamp * 1000 : timestamp);
}

/**
 * The timestamp as epoch ms, refused (400, naming `field`) unless it is a whole millisecond:
 * epoch ms an integer, epoch seconds with at most three decimals. Packets are stored, and told
 * apart from a retry, at a whole millisecond (`vitals (device_id, ts)`); rounding a finer time
 * made two packets 0.4 ms apart one, and the second was answered as a retry of the first or
 * refused as a clock gone back. No client of the seeds sends one (seed 000's ESP32 sends whole
 * seconds, `(long long)time(nullptr)`; its replay scripts `int(time.time())`).
 */
function wholeMs(timestamp: number, field: string): number {
  const seconds = timestamp < SECONDS_MS_BOUNDARY;
  const ms = seconds ? timestamp * 1000 : timestamp;
  const whole = Math.round(ms);
  if (Math.abs(ms - whole) > (seconds ? SECONDS_ROUNDING_MS : 0))
    throw validationFailed(
      field,
      `${field} must be a whole number of milliseconds: epoch ms an integer, epoch seconds at most 3 decimals (got ${String(timestamp)})`,
    );
  return whole;
}

/**
 * A device timestamp as epoch ms, checked for what a JSON schema cannot: finiteness (JSON allows
 * 1e999 = Infinity) and the plausible window. `field` is the name as the client wrote it.
 */
export function checkedTimestampMs(timestamp: number, field: string, nowMs: number): number {
  if (!Number.isFinite(timestamp))
    throw validationFailed(field, `${field} must be a finite number`);
  const tsMs = wholeMs(timestamp, field);
  if (tsMs > nowMs + MAX_FUTURE_MS)
    throw validationFailed(field, `${field} is more than a day in the future`);
  if (tsMs < MIN_TIMESTAMP_MS)
    throw validationFailed(field, `${field} is before 2000-01-01: is the device clock set?`);
  return tsMs;
}

/**
 * A device timestamp for a kind that accepts unsynchronised clocks (ECG vitals): a finite
 * timestamp before 2020-01-01 or more than a day ahead of the server is not refused (a device
 * has no way to recover and the window would be lost) but replaced by the server's receive time
 * and flagged; `deviceMs` keeps what the device sent. See packages/server/docs/pipeline.md.
 */
export function deviceTimestampMs(
  timestamp: number,
  field: string,
  nowMs: number,
): { tsMs: number; deviceMs: number | null } {
  if (!Number.isFinite(timestamp))
    throw validationFailed(field, `${field} must be a finite number`);
  const deviceMs = toEpochMs(timestamp);
  // An unsynchronised clock's packet is stored at the receive time, whatever fraction it sent.
  if (deviceMs > nowMs + MAX_FUTURE_MS || deviceMs < MIN_SYNCED_TIMESTAMP_MS)
    return { tsMs: nowMs, deviceMs };
  return { tsMs: wholeMs(timestamp, field), deviceMs: null };
}

/**
 * Smallest magnitude of a normal 32-bit float (FLT_MIN). Readings are stored in `real` columns,
 * which PostgreSQL refuses below about 1.4e-45 ("out of range for type real"): a heart rate of
 * 1e-320 bpm was answered with a 500 on PostgreSQL and stored on SQLite.
 */
export const MIN_REAL_MAGNITUDE = 1.1754943508222875e-38;

/** An optional number that must be finite when present; null when absent. */
export function finiteOrNull(value: number | undefined, field: string): number | null {
  if (value === undefined) return null;
  return finiteNumber(value, field);
}

/**
 * A required number that must be finite (JSON allows 1e999 = Infinity, which passes a schema)
 * and, unless 0, at least MIN_REAL_MAGNITUDE in magnitude (what a `real` column holds).
 */
export function finiteNumber(value: number, field: string): number {
  if (!Number.isFinite(value)) throw validationFailed(field, `${field} must be a finite number`);
  if (value !== 0 && Math.abs(value) < MIN_REAL_MAGNITUDE)
    throw validationFailed(
      field,
      `${field} must be 0 or at least 1.2e-38 in magnitude (stored as a 32-bit float)`,
    );
  return value;
}
