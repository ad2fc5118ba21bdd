import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readEcg12Record } from '../io/index.js';
import { findFlatEcg12Leads } from './find-flat-ecg12-leads.js';

const fixtures = join(import.meta.dirname, '..', 'io', 'fixtures', 'cinc2021');

describe('findFlatEcg12Leads', () => {
  it('finds no flat lead in real records (CinC 2021 E07509, HR06006, JS20005)', async () => {
    for (const name of ['E07509', 'HR06006', 'JS20005']) {
      const record = await readEcg12Record(join(fixtures, name));
      expect(
        findFlatEcg12Leads(record.leadsMv, { samplingRateHz: record.samplingRateHz }),
        name,
      ).toEqual([]);
    }
  });

  it('finds a zeroed lead, a lead railed at a constant and a lead of rounding noise, in mV or counts', async () => {
    const record = await readEcg12Record(join(fixtures, 'E07509'));
    const leads = record.leadsMv.map((l) => Float32Array.from(l));
    leads[1] = new Float32Array(leads[1]?.length ?? 0); // II: 0 (disconnected)
    leads[6] = new Float32Array(leads[6]?.length ?? 0).fill(5); // V1: railed at 5 mV
    // V4: ±1 µV of rounding noise on a zero line.
    leads[9] = Float32Array.from(leads[9] ?? [], (_, i) => (i % 2 === 0 ? 0.001 : -0.001));
    const fs = { samplingRateHz: record.samplingRateHz };
    expect(findFlatEcg12Leads(leads, fs)).toEqual([1, 6, 9]);
    // The same record in ADC counts (×1000): the rule is relative to the record's own leads.
    expect(
      findFlatEcg12Leads(
        leads.map((l) => l.map((v) => v * 1000)),
        fs,
      ),
    ).toEqual([1, 6, 9]);
  });

  it('checks its input and option first', () => {
    expect(() => findFlatEcg12Leads([], { samplingRateHz: 500 })).toThrow(SignalInputError);
    const leads = Array.from({ length: 12 }, () => new Float32Array(5000));
    expect(() => findFlatEcg12Leads(leads, { samplingRateHz: 500, minRangeFraction: 0 })).toThrow(
      /minRangeFraction/,
    );
  });
});
