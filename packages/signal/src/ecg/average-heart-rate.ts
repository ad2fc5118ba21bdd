/**
 * The average of `heartRate` over the window of `windowMs` ending at `endSample`, on peaks[0, n)
 * (beat positions in samples, increasing, none after `endSample`): 60000 · (k − 1) / (t_k − t_1)
 * for the k beats in the window, or 60000 · k / (end − t_1) when the time since the last beat is
 * longer than twice their mean interval (a pause); null with fewer than `minBeats` beats.
 *
 * Internal (not exported from the package): the one definition shared by `heartRate`, which
 * checks its input first, and the live analyzer, which calls it at every packet on peaks that
 * are increasing by construction, without the checks and without the instantaneous rates.
 */
export function averageHeartRate(
  peaks: ArrayLike<number>,
  n: number,
  fs: number,
  endSample: number,
  windowMs: number,
  minBeats: number,
): { averageBpm: number | null; nBeats: number } {
  const lastPeak = n > 0 ? (peaks[n - 1] ?? 0) : 0;
  const windowStart = endSample - (windowMs * fs) / 1000;
  let first = n;
  while (first > 0 && (peaks[first - 1] ?? 0) >= windowStart) first--;
  const k = n - first;
  if (k < minBeats) return { averageBpm: null, nBeats: k };
  const t1 = peaks[first] ?? 0;
  const span = lastPeak - t1;
  const gap = endSample - lastPeak;
  const averageBpm =
    gap > (2 * span) / (k - 1) ? (60 * fs * k) / (endSample - t1) : (60 * fs * (k - 1)) / span;
  return { averageBpm, nBeats: k };
}
