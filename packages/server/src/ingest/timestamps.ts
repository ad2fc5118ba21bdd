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

/** Converts a device timestamp (s or ms) to epoch ms. */
export function toEpochMs(timestamp: number): number {
  return Math.round(timestamp < SECONDS_MS_BOUNDARY ? timestamp * 1000 : timestamp);
}

/**
 * A device timestamp as epoch ms, checked for what a JSON schema cannot: finiteness (JSON allows
 * 1e999 = Infinity) and the plausible window. `field` is the name as the client wrote it.
 */
export function checkedTimestampMs(timestamp: number, field: string, nowMs: number): number {
  if (!Number.isFinite(timestamp))
    throw validationFailed(field, `${field} must be a finite number`);
  const tsMs = toEpochMs(timestamp);
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
  const tsMs = toEpochMs(timestamp);
  if (tsMs > nowMs + MAX_FUTURE_MS || tsMs < MIN_SYNCED_TIMESTAMP_MS)
    return { tsMs: nowMs, deviceMs: tsMs };
  return { tsMs, deviceMs: null };
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
