/**
 * `npm run train:ecg12 -- --ptbxl <dir> [--out ecg12-model.json] [--max-records N] [--test-fold k] [--train-only]`
 *
 * Trains the multi-label logistic model of the 12-lead interpretation on PTB-XL (official layout:
 * `ptbxl_database.csv`, `scp_statements.csv`, `records500/`), with its recommended folds (train
 * 1–8, validation 9 for the L2 penalties, then the final fit on folds 1–9 unless `--train-only`;
 * test 10), prints per-class and macro ROC AUC on fold 10 and writes the model JSON that
 * `loadEcg12Model` reads (the server loads it from `ECG12_MODEL_PATH`; copied to
 * `src/ecg12/model/ecg12-model.json` it becomes the shipped default). `--max-records` bounds each split for a short run. `--test-fold k` holds
 * out fold k instead (validation k − 1, 10 for k = 1), for a 10-fold cross-validation whose
 * models `eval:ecg12 --ptbxl <dir> --model 'model-{fold}.json'` scores out of fold.
 */
import { writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { parseArgs } from 'node:util';
import { ECG12_CLASSES } from '../ecg12/ecg12-types.js';
import { trainEcg12Model } from './train-ecg12-model.js';

/** Paths on the command line are relative to where npm was run (npm -w runs in the package folder). */
const resolve = (path: string): string => resolvePath(process.env.INIT_CWD ?? process.cwd(), path);

const { values } = parseArgs({
  options: {
    ptbxl: { type: 'string' },
    out: { type: 'string', default: 'ecg12-model.json' },
    'max-records': { type: 'string' },
    'test-fold': { type: 'string' },
    'train-only': { type: 'boolean', default: false },
  },
});
if (values.ptbxl === undefined) {
  console.error(
    'usage: npm run train:ecg12 -- --ptbxl <dir> [--out ecg12-model.json] [--max-records N] [--test-fold k]',
  );
  process.exit(2);
}
const report = await trainEcg12Model(resolve(values.ptbxl), {
  ...(values['max-records'] !== undefined
    ? { maxRecordsPerSplit: Number(values['max-records']) }
    : {}),
  ...(values['test-fold'] !== undefined ? { testFold: Number(values['test-fold']) } : {}),
  refit: !values['train-only'],
  log: (line) => {
    console.log(line);
  },
});
const { counts } = report;
console.log(
  `records: train ${counts.train}, validation ${counts.validation}, test ${counts.test}, unreadable ${counts.failed}; L2 ${report.l2} (amplitude-free ${report.l2AmplitudeFree}); final fit on ${String(report.model.trainedOn.finalFit)}`,
);
const testFold = values['test-fold'] ?? '10';
const validationFold = testFold === '1' ? '10' : String(Number(testFold) - 1);
console.log(
  `class  train AUC  fold-${validationFold} AUC  fold-${testFold} AUC  fold-${testFold} AUC amplitude-free`,
);
const f = (v: number): string => (Number.isNaN(v) ? '   n/a' : v.toFixed(3).padStart(6));
for (const c of ECG12_CLASSES) {
  console.log(
    `${c.padEnd(5)}  ${f(report.auc.train[c])}     ${f(report.auc.validation[c])}      ${f(report.auc.test[c])}      ${f(report.testAucAmplitudeFree[c])}`,
  );
}
console.log(
  `fold-${testFold} macro AUC: ${Number.isNaN(report.testMacroAuc) ? `n/a (fold ${testFold} has no class with both labels)` : report.testMacroAuc.toFixed(3)}`,
);
await writeFile(resolve(values.out), `${JSON.stringify(report.model)}\n`);
console.log(`model written to ${resolve(values.out)}`);
