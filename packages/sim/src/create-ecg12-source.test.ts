import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateVitalsBody } from '@vigil/protocol';
import { createEcgAnalyzer } from '@vigil/signal';
import { createEcg12Source, loadEcg12Records } from './create-ecg12-source.js';

/** The 12-lead records committed as signal fixtures (CinC 2021, CC BY 4.0, see their NOTICE). */
const folder = fileURLToPath(new URL('../../signal/src/io/fixtures/cinc2021/', import.meta.url));
/** PTB-XL ecg_id 177 (labelled anteroseptal MI; CC BY 4.0, see its NOTICE), a WFDB `.dat`. */
const ptbxl = fileURLToPath(new URL('../../signal/src/io/fixtures/ptbxl/', import.meta.url));

describe('createEcg12Source', () => {
  it('replays the records of a folder in 1 s packets of lead1 … lead12 that the server schema accepts', async () => {
    const records = await loadEcg12Records(folder, ['HR06006', 'JS20005']);
    expect(records.map((r) => r.name)).toEqual(['HR06006', 'JS20005']);
    const source = createEcg12Source({ deviceId: 'S12', records, startTimeMs: 1_700_000_000_000 });
    const packets = Array.from({ length: 10 }, () => source.nextPacket());
    const first = packets[0];
    expect(first?.batch).toHaveLength(500);
    expect(Object.keys(first?.batch?.[0] ?? {})).toHaveLength(12);
    // HR06006 holds every lead still over its first 5 and last 55 samples: the replay starts at
    // its sample 5, so sample 250 of packet 3 is lead II at its sample 1755, to 1 µV, and its
    // 4,940 samples give 9 whole packets.
    expect(packets[3]?.batch?.[250]?.lead2).toBeCloseTo(records[0]?.leadsMv[1]?.[1755] ?? NaN, 3);
    // Consecutive in time across the change of record (packet 9 is JS20005's first second).
    expect(packets.map((p) => (p?.timestamp ?? 0) - 1_700_000_000_000)).toEqual(
      Array.from({ length: 10 }, (_, i) => i * 1000),
    );
    expect(packets[9]?.batch?.[0]?.lead1).toBeCloseTo(records[1]?.leadsMv[0]?.[0] ?? NaN, 3);
    expect(validateVitalsBody(first).errors).toBeUndefined();
  });

  it('replays records of several folders in the order given, PTB-XL .dat records too', async () => {
    const records = await loadEcg12Records([ptbxl, folder], ['00177_hr', 'HR06006']);
    expect(records.map((r) => [r.name, r.samplingRateHz, r.leadsMv[0]?.length])).toEqual([
      ['00177_hr', 500, 5000],
      ['HR06006', 500, 5000],
    ]);
    const source = createEcg12Source({ deviceId: 'S12', records, startTimeMs: 0 });
    const first = source.nextPacket();
    // V2 (lead8) of 00177_hr's first sample: the header's baseline 0, gain 1000/mV, to 1 µV.
    expect(first?.batch?.[0]?.lead8).toBeCloseTo(records[0]?.leadsMv[7]?.[0] ?? NaN, 3);
    expect(first?.ecg_sample_rate_hz).toBe(500);
  });

  it('gives a heart rate on lead II throughout the replay of PTB-XL records back to back', async () => {
    // Their still last ~110 ms (at the lead's minimum in HR06006) read as clipping and withheld
    // the rate for 12 of every 20 s (the demo's 12-lead patient) before the edges were skipped.
    const records = await loadEcg12Records([ptbxl, folder], ['00177_hr', 'HR06006']);
    const source = createEcg12Source({ deviceId: 'S12', records, startTimeMs: 0 });
    const analyzer = createEcgAnalyzer({ fs: 500 });
    const rates: (number | null)[] = [];
    for (let k = 0; k < 40; k++) {
      const batch = source.nextPacket()?.batch ?? [];
      rates.push(analyzer.push(Float64Array.from(batch, (s) => s.lead2 ?? NaN)).heartRateBpm);
    }
    // After the analyzer's first 4 s, a rate at every packet, within the two records' 80–97 bpm.
    const settled = rates.slice(4);
    expect(settled.every((hr) => hr !== null && hr >= 78 && hr <= 98)).toBe(true);
  });

  it('refuses a folder without 12-lead records', async () => {
    await expect(loadEcg12Records(folder, ['nothing'])).rejects.toThrow(/no 12-lead record/);
  });
});
