import { readFileSync } from 'node:fs';
import { decodeEcg12Record } from '@vigil/signal/io';
import type { TestApp } from '../helpers/index.js';

/**
 * Real 12-lead records committed as @vigil/signal fixtures (CC BY 4.0, see the NOTICE files in
 * packages/signal/src/io/fixtures/cinc2021/ and ptbxl/), streamed as a seed-004 sensor would
 * write them. PTBXL00177: PTB-XL ecg_id 177, labelled anteroseptal MI (ASMI, likelihood 100);
 * HR06006: PTB-XL ecg_id 6006 as the CinC 2021 sample holds it, labelled NORM (100); JS20005:
 * Chapman-Shaoxing, no MI label, ST elevation in V4–V5; E07509: RBBB.
 */
const fixtures = new URL('../../../signal/src/io/fixtures/', import.meta.url);
const FILES = {
  PTBXL00177: ['ptbxl/00177_hr.hea', 'ptbxl/00177_hr.dat'],
  HR06006: ['cinc2021/HR06006.hea', 'cinc2021/HR06006.mat'],
  JS20005: ['cinc2021/JS20005.hea', 'cinc2021/JS20005.mat'],
  E07509: ['cinc2021/E07509.hea', 'cinc2021/E07509.mat'],
} as const;
export function loadRecord(id: keyof typeof FILES) {
  const [header, data] = FILES[id];
  return decodeEcg12Record(
    readFileSync(new URL(header, fixtures), 'utf8'),
    new Uint8Array(readFileSync(new URL(data, fixtures))),
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
