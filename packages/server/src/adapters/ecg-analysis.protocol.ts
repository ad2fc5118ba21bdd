import type { Ecg12Model, Ecg12Result, SignalInputErrorCode } from '@vigil/signal';
import type { AnalysisRequest, Ecg12Request, PacketAnalysis } from './ecg-analysis.adapter.js';

/**
 * Messages between the main thread and an ECG analysis worker (ecg-analysis.worker.ts). Both
 * ends are this codebase and messages are structured clones, so the types are the contract.
 */

export interface AnalysisJob extends AnalysisRequest {
  /** Matches the result to its request. */
  id: number;
  /** A plain (not shared) buffer: the message transfers it. */
  chunkMv: Float64Array<ArrayBuffer>;
  /** Likewise. */
  leadsMv?: Float64Array<ArrayBuffer>[] | null;
}

/** A live 12-lead window to interpret (its leads are the pool's own copies: transferred). */
export interface Ecg12Job extends Ecg12Request {
  id: number;
  leadsMv: Float64Array<ArrayBuffer>[];
}

/** What the worker is started with (`workerData`). */
export interface AnalysisWorkerData {
  /** The trained 12-lead model (ECG12_MODEL_PATH); absent: the published criteria. */
  ecg12Model?: Ecg12Model | undefined;
}

export type ToWorker =
  | { type: 'analyse'; jobs: AnalysisJob[] }
  | { type: 'interpret12'; job: Ecg12Job }
  | { type: 'evict-idle'; olderThanMs: number }
  | { type: 'close' };

export type JobResult =
  | { id: number; analysis: PacketAnalysis }
  | { id: number; ecg12: Ecg12Result }
  | {
      id: number;
      error: string;
      /** The input was refused (a SignalInputError): rebuilt as one on the main thread. */
      input?: { code: SignalInputErrorCode; field: string };
    };

export type FromWorker =
  | { type: 'results'; results: JobResult[] }
  /** A failure the worker survived (an arrhythmia model that threw): findings were withheld. */
  | { type: 'warning'; message: string; stack: string | undefined };
