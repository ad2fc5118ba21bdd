/**
 * Entry of an ECG analysis worker thread (see ecg-analysis-workers.ts, which starts it from the
 * script `npm run build` bundled, or bundles this file with esbuild when run from source). It owns the analysis sessions of the devices sharded to it and
 * answers each batch of jobs with one message.
 */
import { parentPort } from 'node:worker_threads';
import { createArrhythmiaMonitor, createEcgAnalyzer } from '@vigil/signal';
import { createEcgAnalysisAdapter, runAnalysis } from './ecg-analysis.adapter.js';
import type { FromWorker, JobResult, ToWorker } from './ecg-analysis.protocol.js';

const port = parentPort;
if (port === null) throw new Error('ecg-analysis.worker must run in a worker thread');

const post = (m: FromWorker): void => {
  port.postMessage(m);
};

const adapter = createEcgAnalysisAdapter({ createEcgAnalyzer, createArrhythmiaMonitor }, (e) => {
  post({
    type: 'warning',
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? e.stack : undefined,
  });
});

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
    case 'evict-idle':
      adapter.evictIdle(m.olderThanMs);
      break;
    case 'close':
      adapter.close();
      port.close();
      break;
  }
});
