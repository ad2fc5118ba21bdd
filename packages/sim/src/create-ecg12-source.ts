import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readEcg12Record, type Ecg12Record } from '@vigil/signal/io';
import type { PacketSource } from './run-fleet.js';
import type { VitalsPacket } from './vitals-packet.js';

/**
 * Every 12-lead record of a folder, or of several folders in the order given (`.hea` +
 * `.mat`/`.dat`: the PhysioNet/CinC Challenge 2021 records of ../shared/data/cinc2021, PTB-XL
 * `records500` records), sorted by name within a folder; a `names` list keeps only those.
 */
export async function loadEcg12Records(
  folders: string | readonly string[],
  names?: readonly string[],
): Promise<Ecg12Record[]> {
  const records: Ecg12Record[] = [];
  for (const folder of typeof folders === 'string' ? [folders] : folders) {
    const headers = (await readdir(folder)).filter((f) => f.endsWith('.hea')).sort();
    const wanted =
      names === undefined ? headers : headers.filter((h) => names.includes(h.slice(0, -4)));
    records.push(...(await Promise.all(wanted.map((h) => readEcg12Record(join(folder, h))))));
  }
  if (records.length === 0)
    throw new Error(`${[folders].flat().join(', ')}: no 12-lead record (.hea)`);
  return records;
}

export interface Ecg12SourceOptions {
  deviceId: string;
  /** Replayed one after the other, then again from the first. */
  records: readonly Ecg12Record[];
  /** Epoch ms of the first packet. */
  startTimeMs: number;
  /** Seconds of signal per packet (default 1). */
  packetSeconds?: number;
}

/**
 * The samples [start, end) of a record without its still edges: PTB-XL's records (and the CinC
 * 2021 ones taken from it) hold every lead at one value over their first and last ~10–110 ms.
 * Replayed back to back, that last plateau, at the lead's minimum in HR06006, reads to the
 * analyzer as a clipped signal (`saturation`), which withholds the heart rate for its 12 s
 * quality window: the demo's 12-lead patient had no rate in 12 of every 20 s.
 */
function stillEdgesTrimmed(record: Ecg12Record): { start: number; end: number } {
  const n = record.leadsMv[0]?.length ?? 0;
  const still = (i: number): boolean => record.leadsMv.every((lead) => lead[i] === lead[i + 1]);
  let end = n;
  while (end > 1 && still(end - 2)) end--;
  let start = 0;
  while (start < end - 1 && still(start)) start++;
  return { start, end };
}

/**
 * A simulated 12-lead streaming sensor of seed 004: each packet is `packetSeconds` of every lead
 * in the seed's `batch` shape (`{lead1 … lead12}` per sample, mV to 1 µV), with the record's rate
 * named; records follow each other without a gap in time (a new record is a new recording only
 * to the eye: the server's window simply moves on), each without its still edges
 * (`stillEdgesTrimmed`) and the tail shorter than a packet.
 */
export function createEcg12Source(options: Ecg12SourceOptions): PacketSource & {
  /** The record the next packet comes from. */
  readonly current: string;
} {
  const { deviceId, records } = options;
  if (records.length === 0) throw new Error('records must not be empty');
  const packetS = options.packetSeconds ?? 1;
  const spans = records.map(stillEdgesTrimmed);
  let recordIndex = 0;
  let offset = spans[0]?.start ?? 0;
  let sequence = 0;
  let timeMs = options.startTimeMs;
  return {
    get current() {
      return records[recordIndex]?.name ?? '';
    },
    nextPacket(): VitalsPacket {
      let record = records[recordIndex] as Ecg12Record;
      let per = Math.round(packetS * record.samplingRateHz);
      if (offset + per > (spans[recordIndex]?.end ?? 0)) {
        recordIndex = (recordIndex + 1) % records.length;
        offset = spans[recordIndex]?.start ?? 0;
        record = records[recordIndex] as Ecg12Record;
        per = Math.round(packetS * record.samplingRateHz);
      }
      const from = offset;
      const batch = Array.from({ length: per }, (_, i) => {
        const sample: Record<string, number> = {};
        record.leadsMv.forEach((lead, l) => {
          sample[`lead${l + 1}`] = Math.round((lead[from + i] ?? 0) * 1000) / 1000;
        });
        return sample;
      });
      offset += per;
      const packet: VitalsPacket = {
        device_id: deviceId,
        timestamp: Math.round(timeMs),
        sequence: sequence++,
        lead_off: false,
        ecg_sample_rate_hz: record.samplingRateHz,
        batch,
      };
      timeMs += (per * 1000) / record.samplingRateHz;
      return packet;
    },
  };
}
