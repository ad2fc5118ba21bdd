import { ecgsyn } from '@vigil/signal';
import type { TestApp } from '../helpers/index.js';

export interface Packet {
  device_id: string;
  timestamp: number;
  ecg_samples: number[];
  ecg_sample_rate_hz?: number;
  heart_rate_bpm?: number;
  spo2_percent?: number;
  sequence?: number;
  temperature_c?: number;
  respiratory_rate?: number;
  battery_percent?: number;
  lead_off?: boolean;
}

/** Cuts an ECG (mV) into 1 s packets starting at `startMs`, sequence numbers from `firstSeq`. */
export function toPackets(
  deviceId: string,
  ecgMv: ArrayLike<number>,
  fs: number,
  startMs: number,
  extra: Partial<Packet> = {},
  firstSeq = 0,
): Packet[] {
  const out: Packet[] = [];
  for (let i = 0, k = 0; i + fs <= ecgMv.length; i += fs, k++) {
    out.push({
      device_id: deviceId,
      timestamp: startMs + k * 1000,
      sequence: firstSeq + k,
      ecg_sample_rate_hz: fs,
      ecg_samples: Array.from(
        { length: fs },
        (_, j) => Math.round((ecgMv[i + j] ?? 0) * 1e4) / 1e4,
      ),
      spo2_percent: 97,
      ...extra,
    });
  }
  return out;
}

/** Synthetic sinus ECG (McSharry et al. 2003) at `bpm`, cut into 1 s packets of 250 samples. */
export function syntheticPackets(
  deviceId: string,
  bpm: number,
  seconds: number,
  startMs: number,
  seed = 7,
  extra: Partial<Packet> = {},
  firstSeq = 0,
): Packet[] {
  const { ecgMv } = ecgsyn({
    fs: 250,
    durationS: seconds,
    heartRateBpm: bpm,
    heartRateStdBpm: 1,
    seed,
  });
  return toPackets(deviceId, ecgMv, 250, startMs, extra, firstSeq);
}

export async function post(t: TestApp, apiKey: string, payload: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/vitals',
    headers: { 'x-api-key': apiKey },
    payload: payload as object,
  });
}
