/**
 * Entry of an ECG analysis worker thread (see ecg-analysis-workers.ts, which starts it from the
 * script `npm run build` bundled, or bundles this file with esbuild when run from source). It owns the analysis sessions of the devices sharded to it and
 * answers each batch of jobs with one message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createArrhythmiaMonitor,
  createEcgAnalyzer,
  interpretEcg12,
  measureMultiLeadQrs,
  SignalInputError,
} from '@vigil/signal';
import { createEcgAnalysisAdapter, runAnalysis } from './ecg-analysis.adapter.js';
import type {
  AnalysisWorkerData,
  FromWorker,
  JobResult,
  ToWorker,
} from './ecg-analysis.protocol.js';

const port = parentPort;
if (port === null) throw new Error('ecg-analysis.worker must run in a worker thread');

const post = (m: FromWorker): void => {
  port.postMessage(m);
};

const adapter = createEcgAnalysisAdapter(
  { createEcgAnalyzer, createArrhythmiaMonitor, measureMultiLeadQrs },
  (e) => {
    post({
      type: 'warning',
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    });
  },
);

const ecg12Model = (workerData as AnalysisWorkerData | null)?.ecg12Model;

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'analyse': {
      const results: JobResult[] = [];
      for (const j of m.jobs) {
        try {
          results.push({ id: j.id, analysis: runAnalysis(adapter, j) });
        } catch (e) {
          results.push({ id: j.id, error: e instanceof Error ? e.message : String(e) });
        }
      }
      post({ type: 'results', results });
      break;
    }
    case 'interpret12': {
      const { job } = m;
      let result: JobResult;
      try {
        result = {
          id: job.id,
          ecg12: interpretEcg12(job.leadsMv, {
            samplingRateHz: job.fsHz,
            ...(ecg12Model === undefined ? {} : { model: ecg12Model }),
          }),
        };
      } catch (e) {
        result = {
          id: job.id,
          error: e instanceof Error ? e.message : String(e),
          ...(e instanceof SignalInputError ? { input: { code: e.code, field: e.field } } : {}),
        };
      }
      post({ type: 'results', results: [result] });
      break;
    }
    case 'evict-idle':
      adapter.evictIdle(m.olderThanMs);
      break;
    case 'close':
      adapter.close();
      port.close();
      break;
  }
});
