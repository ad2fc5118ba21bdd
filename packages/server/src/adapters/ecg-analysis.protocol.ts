import type { AnalysisRequest, PacketAnalysis } from './ecg-analysis.adapter.js';

/**
 * Messages between the main thread and an ECG analysis worker (ecg-analysis.worker.ts). Both
 * ends are this codebase and messages are structured clones, so the types are the contract.
 */

export interface AnalysisJob extends AnalysisRequest {
  /** Matches the result to its request. */
  id: number;
  /** A plain (not shared) buffer: the message transfers it. */
  chunkMv: Float64Array<ArrayBuffer>;
}

export type ToWorker =
  | { type: 'analyse'; jobs: AnalysisJob[] }
  | { type: 'evict-idle'; olderThanMs: number }
  | { type: 'close' };

export type JobResult = { id: number; analysis: PacketAnalysis } | { id: number; error: string };

export type FromWorker =
  | { type: 'results'; results: JobResult[] }
  /** A failure the worker survived (an arrhythmia model that threw): findings were withheld. */
  | { type: 'warning'; message: string; stack: string | undefined };
