import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEcg12Record } from '../io/index.js';
import { ECG12_FEATURE_NAMES } from './ecg12-features.js';
import { interpretEcg12 } from './interpret-ecg12.js';
import { loadEcg12Model } from './load-ecg12-model.js';

const modelPath = join(import.meta.dirname, '..', '..', 'models', 'ecg12-ptbxl500-logistic.json');
const cinc = join(import.meta.dirname, '..', 'io', 'fixtures', 'cinc2021', 'E07509');

describe('the committed PTB-XL (ecg_id 1–500) model', () => {
  it('loads with the current feature names and its provenance (train folds 1–8, 353 records)', async () => {
    const model = loadEcg12Model(await readFile(modelPath, 'utf8'));
    expect(model.featureNames).toEqual([...ECG12_FEATURE_NAMES]);
    expect(model.trainedOn).toMatchObject({
      folds: { train: '1-8', validation: '9', test: '10' },
      counts: { train: 353, validation: 81, test: 66, failed: 0 },
      l2: 0.1,
    });
  });

  it('scores a real record (CinC 2021 E07509, RBBB) as abnormal, with the rule findings kept', async () => {
    const model = loadEcg12Model(await readFile(modelPath, 'utf8'));
    const record = await readEcg12Record(cinc);
    const result = interpretEcg12(record.leadsMv, { samplingRateHz: 500, model });
    expect(result.scoredBy).toBe('model');
    expect(result.probabilities.NORM).toBeLessThan(0.5);
    expect(result.findings.map((f) => f.criterion)).toContain('CRBBB');
  });
});
