import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { readEcg12Record } from '../io/index.js';
import { ECG12_AMPLITUDE_FEATURES, ECG12_FEATURE_NAMES } from './ecg12-features.js';
import { ECG12_CLASSES } from './ecg12-types.js';
import { interpretEcg12 } from './interpret-ecg12.js';
import { interpretEcg12Rules } from './interpret-ecg12-rules.js';
import { loadEcg12Model } from './load-ecg12-model.js';

const cinc = join(import.meta.dirname, '..', 'io', 'fixtures', 'cinc2021', 'E07509');

/** Each lead to zero mean and unit standard deviation (per-lead normalisation). */
function zScore(leads: readonly Float32Array[]): Float32Array[] {
  return leads.map((lead) => {
    const mean = lead.reduce((a, b) => a + b, 0) / lead.length;
    const sd = Math.sqrt(lead.reduce((a, b) => a + (b - mean) ** 2, 0) / lead.length);
    return Float32Array.from(lead, (v) => (v - mean) / sd);
  });
}

describe('the shipped 12-lead model (PTB-XL ecg_id 1–500, folds 1–9)', () => {
  it('loads by default with the current feature names and its provenance (L2 on fold 9, final fit on 434 records)', () => {
    const model = loadEcg12Model();
    expect(model.featureNames).toEqual([...ECG12_FEATURE_NAMES]);
    expect(model.trainedOn).toMatchObject({
      folds: { train: '1-8', validation: '9', test: '10' },
      counts: { train: 353, validation: 81, test: 66, failed: 0 },
      l2: 0.3,
      l2AmplitudeFree: 1,
      finalFit: 'training and validation folds (434 records)',
    });
    // The amplitude-free classes read no amplitude.
    for (const c of ECG12_CLASSES)
      for (const i of ECG12_AMPLITUDE_FEATURES)
        expect(model.amplitudeFree?.classes[c].weights[i]).toBe(0);
  });

  it('gives the probabilities by default and keeps the criteria as findings (CinC 2021 E07509, RBBB)', async () => {
    const record = await readEcg12Record(cinc);
    const result = interpretEcg12(record.leadsMv, { samplingRateHz: 500 });
    expect(result.scoredBy).toBe('model');
    expect(result.topClass).toBe('CD');
    expect(result.probabilities.CD).toBeCloseTo(0.581, 2);
    expect(result.probabilities.NORM).toBeCloseTo(0.327, 2);
    expect(result.findings.map((f) => f.criterion)).toContain('CRBBB');
    const rules = interpretEcg12(record.leadsMv, { samplingRateHz: 500, scoring: 'rules' });
    expect(rules.scoredBy).toBe('rules');
    expect(rules.probabilities).toEqual(
      interpretEcg12Rules(rules.measurements, { units: 'mV' }).probabilities,
    );
    expect(rules.findings).toEqual(result.findings);
  });

  it('scores per-lead z-scored input with the amplitude-free model and says so', async () => {
    const record = await readEcg12Record(cinc);
    const result = interpretEcg12(zScore(record.leadsMv), { samplingRateHz: 500 });
    expect(result.unitsAssessed).toBe('relative');
    expect(result.scoredBy).toBe('model-amplitude-free');
    expect(result.topClass).toBe('CD');
    expect(result.probabilities.CD).toBeCloseTo(0.548, 2);
    expect(result.findings[0]?.text).toMatch(
      /voltage criteria .* were not applied.*class probabilities from the amplitude-free model/,
    );
  });

  it('refuses an amplitude-free part of the wrong shape, and an unknown scoring', async () => {
    const model = loadEcg12Model();
    const broken = { ...model, amplitudeFree: { ...model.amplitudeFree, mean: [1, 2] } };
    expect(() => loadEcg12Model(broken)).toThrow(/amplitudeFree.mean/);
    const record = await readEcg12Record(cinc);
    expect(() =>
      interpretEcg12(record.leadsMv, { samplingRateHz: 500, scoring: 'best' as 'model' }),
    ).toThrow(SignalInputError);
  });
});
