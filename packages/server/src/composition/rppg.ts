import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startCameraSource } from '../adapters/camera-source.js';
import type { Clock } from '../adapters/clock.js';
import { createLazyFaceFinder } from '../adapters/face-finder.adapter.js';
import { ConfigError, type Config } from '../config/env.js';
import type { Database } from '../db/database.js';
import { createRppgMetrics } from '../kinds/rppg/rppg-metrics.js';
import { createRppgRepository } from '../kinds/rppg/rppg.repository.js';
import { RppgService } from '../kinds/rppg/rppg.service.js';
import type { Repositories } from '../repositories/index.js';
import type { CloseStack } from './close-stack.js';
import type { Identity } from './identity.js';
import type { Vitals } from './vitals.js';

export interface RppgOptions {
  config: Config;
  clock: Clock;
  database: Database;
  repositories: Repositories;
  identity: Identity;
  vitals: Vitals;
  metrics: Registry;
  log: Logger;
  stack: CloseStack;
  newId: () => string;
  /** Tests: read a file source as fast as it decodes instead of at its own rate. */
  cameraRealtime?: boolean | undefined;
}

/**
 * Camera heart rate: the service (sessions, uploads, answers), BlazeFace loaded on first use, and
 * the bedside camera when RPPG_CAMERA_SOURCE is set (its patient must exist, or start-up stops
 * naming RPPG_CAMERA_PATIENT_ID).
 */
export async function createRppg(o: RppgOptions) {
  const faces = createLazyFaceFinder();
  o.stack.push(() => faces.close());
  const repos = o.repositories;
  const rppg = new RppgService({
    repo: createRppgRepository(o.database.db),
    canSeePatient: (viewer, patientId) => repos.patientScope.canSee(viewer, patientId),
    authenticate: (token) => o.identity.auth.authenticate(token),
    faces,
    alerts: o.vitals.alerts,
    metrics: createRppgMetrics(o.metrics),
    clock: o.clock,
    newId: o.newId,
    log: o.log,
  });
  o.stack.push(() => rppg.close());

  const camera = o.config.rppgCamera;
  if (camera !== undefined) {
    const patient = await repos.users.findById(camera.patientId);
    if (patient?.role !== 'patient')
      throw new ConfigError('RPPG_CAMERA_PATIENT_ID', `${camera.patientId} is not a patient`);
    const feed = await rppg.startBedside(camera.patientId);
    const source = startCameraSource({
      source: camera.source,
      fps: camera.fps,
      loop: camera.loop,
      realtime: o.cameraRealtime ?? true,
      startMs: o.clock.now(),
      onFrame: (pixels, width, height, ts) => feed.pushFrame(pixels, width, height, ts),
      onRunning: (running) => {
        feed.setRunning(running);
      },
      log: o.log,
    });
    o.stack.push(() => source.stop());
    return { rppg, camera: source };
  }
  return { rppg, camera: null };
}
