/**
 * How long the packet stamped latest stays the device's latest reading once packets stamped
 * earlier keep coming (ms). The dashboard's live tile follows the same rule (LATEST_HOLD_MS in
 * packages/web/src/live/live-store.ts).
 */
export const LATEST_HOLD_MS = 30_000;

/**
 * Which packet a reader is shown as a device's latest: the one stamped latest (`byTs`), unless
 * the one received last (`byReceived`) came more than `holdMs` after it. A device whose clock
 * stepped back (an NTP correction, an RTC reset after a power cut, with no sequence numbers)
 * sends packets stamped before its old newest one for as long as the step; by timestamp alone
 * "latest" would show the reading from before the step, hours old, while the patient's current
 * readings come in. A late retry or a stray old packet is received within seconds of live ones,
 * so it never displaces them; a device that stopped sending shows its last packet either way.
 */
export function latestShown<T>(
  byTs: T | undefined,
  byReceived: T | undefined,
  receivedAtMs: (row: T) => number,
  holdMs = LATEST_HOLD_MS,
): T | undefined {
  if (byTs === undefined || byReceived === undefined) return byTs ?? byReceived;
  return receivedAtMs(byReceived) - receivedAtMs(byTs) > holdMs ? byReceived : byTs;
}
