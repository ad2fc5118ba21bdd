import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Camera heart-rate figures on `/metrics` (seed 001 exposes its own on `/metrics` too). */
export interface RppgMetrics {
  sessions: Gauge;
  frames: Counter<'source' | 'result'>;
  frameSeconds: Histogram;
  estimates: Counter<'confidence'>;
  videos: Counter<'outcome'>;
  observations: Counter;
  lastBpm: Gauge<'session'>;
}

export function createRppgMetrics(registry: Registry): RppgMetrics {
  return {
    sessions: new Gauge({
      name: 'vigil_rppg_sessions_active',
      help: 'Camera heart-rate sessions held in memory (client, upload, bedside)',
      registers: [registry],
    }),
    frames: new Counter({
      name: 'vigil_rppg_frames_total',
      help: 'Camera frames analysed, by source (jpeg, mean_rgb, video, bedside) and result (face, no_face, corrupt)',
      labelNames: ['source', 'result'],
      registers: [registry],
    }),
    frameSeconds: new Histogram({
      name: 'vigil_rppg_frame_seconds',
      help: 'Time to analyse one camera frame (decode, face detection, colour, estimate), seconds',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    estimates: new Counter({
      name: 'vigil_rppg_estimates_total',
      help: 'Camera heart-rate estimates after a full analysis window, by confidence',
      labelNames: ['confidence'],
      registers: [registry],
    }),
    videos: new Counter({
      name: 'vigil_rppg_videos_total',
      help: 'Uploaded videos, by outcome (analysed or the error code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    observations: new Counter({
      name: 'vigil_rppg_observations_total',
      help: 'Heart-rate observations stored from camera sessions',
      registers: [registry],
    }),
    lastBpm: new Gauge({
      name: 'vigil_rppg_bedside_bpm',
      help: 'Latest bedside-camera heart rate, bpm (absent without a reading)',
      labelNames: ['session'],
      registers: [registry],
    }),
  };
}
