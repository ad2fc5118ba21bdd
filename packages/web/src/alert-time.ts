import type { Alert } from './api/types.js';

/** A device's data reaching Vigil this much after it was measured counts as late (1 min). */
const LATE_MS = 60_000;

/**
 * When an alert's event happened in the patient's data, for the alert list: its `onset_at` (the
 * data time the analyser placed it at), and how much later it was reported when the device held
 * its data back (an ESP32 buffering offline uploads an hour at once, and "opened 2 s ago" would
 * then place an hour-old arrhythmia now). Null when no data opened the alert (manual,
 * device_silent). `time` formats an epoch-ms instant (the viewer's locale by default).
 */
export function alertEventTime(
  a: Pick<Alert, 'onset_at' | 'opened_at'>,
  time: (ms: number) => string = (ms) => new Date(ms).toLocaleString(),
): { text: string; lateMs: number | null } | null {
  const onset = a.onset_at ?? null;
  if (onset === null) return null;
  const delay = a.opened_at - onset;
  if (delay < LATE_MS) return { text: `event at ${time(onset)}`, lateMs: null };
  return { text: `event at ${time(onset)}, reported ${duration(delay)} later`, lateMs: delay };
}

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}
