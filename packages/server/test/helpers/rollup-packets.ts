/** One measure's aggregate as `/stats` and `/series` answer it. */
export interface Agg {
  min: number | null;
  avg: number | null;
  max: number | null;
  count: number;
}

/**
 * One vitals packet a second from `fromS` to `toS` (seconds after `base`, epoch ms) at `hr` bpm
 * and `spo2` %, with a flat 50 Hz ECG: the rollup tests' traffic, whose per-minute figures are
 * simple sums.
 */
export function packetsEachSecond(
  deviceId: string,
  base: number,
  span: { fromS: number; toS: number },
  values: { hr: number; spo2: number },
) {
  return Array.from({ length: span.toS - span.fromS }, (_, i) => ({
    device_id: deviceId,
    timestamp: base + (span.fromS + i) * 1000,
    ecg_sample_rate_hz: 50,
    ecg_samples: Array.from({ length: 50 }, () => 0),
    heart_rate_bpm: values.hr,
    spo2_percent: values.spo2,
  }));
}
