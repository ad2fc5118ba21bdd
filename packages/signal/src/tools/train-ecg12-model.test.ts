import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadEcg12Model } from '../ecg12/load-ecg12-model.js';
import { interpretEcg12 } from '../ecg12/interpret-ecg12.js';
import { readEcg12Record } from '../io/index.js';
import { readPtbxl } from './read-ptbxl.js';
import { trainEcg12Model } from './train-ecg12-model.js';

const fixture = join(import.meta.dirname, 'fixtures', 'ptbxl');

describe('PTB-XL trainer', () => {
  it('reads the PTB-XL index: superclasses from diagnostic statements only, folds, sex coding', async () => {
    const entries = await readPtbxl(fixture);
    expect(entries).toHaveLength(10);
    const byId = new Map(entries.map((e) => [e.ecgId, e]));
    expect([...(byId.get(6002)?.classes ?? [])].sort()).toEqual(['CD', 'NORM']);
    expect([...(byId.get(6001)?.classes ?? [])]).toEqual(['STTC']);
    // NT_ is a form statement with no diagnostic class: 6000 stays NORM only.
    expect([...(byId.get(6000)?.classes ?? [])]).toEqual(['NORM']);
    expect(byId.get(6002)?.sex).toBe('male');
    expect(byId.get(6001)?.fold).toBe(10);
    expect(byId.get(6003)?.filenameHr).toBe('records500/06003/06003_hr');
    // Every statement code, diagnostic or not, for the per-kind breakdown of eval:ecg12.
    expect(byId.get(6002)?.codes).toEqual(['NORM', 'IRBBB', 'SBRAD']);
  });

  it('holds out another fold for cross-validation: test k, validation k − 1, train the other eight', async () => {
    const report = await trainEcg12Model(fixture, { l2Grid: [0.01], iterations: 50, testFold: 3 });
    // Fold 3 = 6003, fold 2 = 6002, the 8 others train.
    expect(report.counts).toEqual({ train: 8, validation: 1, test: 1, failed: 0 });
    expect(report.model.trainedOn.folds).toEqual({
      train: '1,4,5,6,7,8,9,10',
      validation: '2',
      test: '3',
    });
    await expect(trainEcg12Model(fixture, { testFold: 11 })).rejects.toThrow(RangeError);
  }, 60_000);

  it('trains on folds 1-8, reports fold-10 AUC and writes a model that loadEcg12Model accepts', async () => {
    const report = await trainEcg12Model(fixture, { l2Grid: [0.01], iterations: 300 });
    expect(report.counts).toEqual({ train: 6, validation: 1, test: 3, failed: 0 });
    // The one IRBBB record of the training folds is separable from the five others.
    expect(report.auc.train.CD).toBe(1);
    // Fold 10 holds one ST/T record and two NORM ones: NORM and STTC are both rankable there.
    expect(Number.isNaN(report.auc.test.NORM)).toBe(false);
    expect(report.testMacroAuc).toBeGreaterThanOrEqual(0);
    const model = loadEcg12Model(JSON.parse(JSON.stringify(report.model)));
    const record = await readEcg12Record(join(fixture, 'records500', '06002', '06002_hr'));
    const result = interpretEcg12(record.leadsMv, { samplingRateHz: record.samplingRateHz, model });
    expect(result.scoredBy).toBe('model');
    // Trained with CD positive on this very record: the model gives it the highest CD probability.
    expect(result.probabilities.CD).toBeGreaterThan(0.5);
    // Final fit on folds 1–9 (training + validation), and an amplitude-free part.
    expect(model.trainedOn.finalFit).toBe('training and validation folds (7 records)');
    expect(model.amplitudeFree?.classes.CD.weights).toHaveLength(model.mean.length);
  }, 60_000);

  it('keeps the training-fold fit with refit: false and leaves the scores uncalibrated with calibrate: false', async () => {
    const options = { l2Grid: [0.01], iterations: 300, refit: false, calibrate: false };
    const report = await trainEcg12Model(fixture, options);
    expect(report.model.trainedOn.finalFit).toBe('training folds (6 records)');
    expect(report.model.trainedOn.calibration).toBeUndefined();
    const calibrated = await trainEcg12Model(fixture, { ...options, calibrate: true });
    // Platt scaling maps each class's log-odds s to a·s + b: same ranking, weights × a.
    expect(calibrated.auc.train).toEqual(report.auc.train);
    const platt = calibrated.model.trainedOn.calibration as {
      full: Record<'NORM' | 'CD', { a: number; b: number }>;
    };
    for (const c of ['NORM', 'CD'] as const) {
      const { a, b } = platt.full[c];
      expect(a).toBeGreaterThan(0);
      expect(calibrated.model.classes[c].bias).toBeCloseTo(a * report.model.classes[c].bias + b, 9);
      calibrated.model.classes[c].weights.forEach((w, i) => {
        expect(w).toBeCloseTo(a * (report.model.classes[c].weights[i] ?? NaN), 9);
      });
    }
  }, 60_000);

  it('runs end to end as npm run train:ecg12 and writes the model file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecg12-'));
    try {
      const out = join(dir, 'model.json');
      const { stdout } = await promisify(execFile)(
        'npx',
        [
          'tsx',
          '--conditions',
          'vigil-source',
          join(import.meta.dirname, 'train-ecg12.ts'),
          '--ptbxl',
          fixture,
          '--out',
          out,
        ],
        { cwd: join(import.meta.dirname, '..', '..') },
      );
      expect(stdout).toContain('records: train 6, validation 1, test 3');
      expect(stdout).toMatch(/fold-10 macro AUC: \d\.\d{3}/);
      const model = loadEcg12Model(await readFile(out, 'utf8'));
      expect(model.trainedOn.counts).toEqual({ train: 6, validation: 1, test: 3, failed: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
