import { readFileSync } from 'node:fs';
import { decodeEcg12Record } from '@vigil/signal/io';
import type { TestApp } from '../helpers/index.js';

/**
 * Real 12-lead records of the PhysioNet/CinC Challenge 2021 sample (CC BY 4.0, see the NOTICE in
 * packages/signal/src/io/fixtures/cinc2021/), streamed as a seed-004 sensor would write them.
 * JS20005: the interpretation finds ST elevation in V4–V5 (MI criteria); HR06006: PTB-XL NORM.
 */
const dir = new URL('../../../signal/src/io/fixtures/cinc2021/', import.meta.url);
export function loadRecord(id: 'JS20005' | 'HR06006' | 'E07509') {
  return decodeEcg12Record(
    readFileSync(new URL(`${id}.hea`, dir), 'utf8'),
    new Uint8Array(readFileSync(new URL(`${id}.mat`, dir))),
  );
}

export type Record12 = ReturnType<typeof loadRecord>;

/** Seed 004's batch of one packet: `{lead1 … lead12}` per sample, mV to 1 µV. */
export function seedBatch(record: Record12, from: number, to: number) {
  return Array.from({ length: to - from }, (_, i) => {
    const s: Record<string, number> = {};
    record.leadsMv.forEach((lead, l) => {
      s[`lead${l + 1}`] = Math.round((lead[from + i] ?? 0) * 1000) / 1000;
    });
    return s;
  });
}

/**
 * Posts the record as consecutive `packetS`-second packets in the seed's batch shape (no rate:
 * the seed's 500 Hz), timestamps from `startMs`; returns the HTTP statuses.
 */
export async function streamRecord(
  t: TestApp,
  device: { deviceId: string; key: string },
  record: Record12,
  startMs: number,
  packetS = 1,
): Promise<number[]> {
  const per = Math.round(packetS * record.samplingRateHz);
  const n = record.leadsMv[0]?.length ?? 0;
  const statuses: number[] = [];
  for (let from = 0; from + per <= n; from += per) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/vitals',
      headers: { 'x-api-key': device.key },
      payload: {
        device_id: device.deviceId,
        timestamp: startMs + (from * 1000) / record.samplingRateHz,
        batch: seedBatch(record, from, from + per),
      },
    });
    statuses.push(res.statusCode);
  }
  return statuses;
}
