import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadEcg12Model, type Ecg12Model } from '@vigil/signal';
import type { Clock } from '../adapters/clock.js';
import { ConfigError, type Config } from '../config/env.js';
import type { Database } from '../db/database.js';
import { createEcg12Repository } from '../repositories/ecg12.repository.js';
import { createEcg12Service } from '../services/ecg12.service.js';
import type { Repositories } from '../repositories/index.js';

/**
 * Version stored with results scored by the model shipped in @vigil/signal (no ECG12_MODEL_PATH):
 * logistic regression over the measurements, trained on PTB-XL ecg_id 1–500, folds 1–9.
 */
export const ECG12_SHIPPED_VERSION = 'vigil-ecg12-logistic-1:ptbxl500-folds1-9';

/**
 * Reads and validates the trained model named by ECG12_MODEL_PATH; a missing, unreadable or
 * invalid file stops the start with a ConfigError naming the variable.
 */
export function loadEcg12ModelFile(file: string): { model: Ecg12Model; version: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'ECG12_MODEL_PATH',
      `cannot be read as JSON (${file}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const model = loadEcg12Model(json);
    return { model, version: `${model.kind}-${model.version}:${path.basename(file)}` };
  } catch (error) {
    throw new ConfigError(
      'ECG12_MODEL_PATH',
      `is not a valid 12-lead model (${file}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * 12-lead ECG classification: the model (ECG12_MODEL_PATH, else the one shipped in
 * @vigil/signal), its history repository, the service.
 */
export function createEcg12(o: {
  config: Config;
  clock: Clock;
  database: Database;
  repositories: Repositories;
  newId: () => string;
}) {
  const loaded =
    o.config.ecg12.modelPath === undefined
      ? { model: loadEcg12Model(), version: ECG12_SHIPPED_VERSION }
      : loadEcg12ModelFile(o.config.ecg12.modelPath);
  return createEcg12Service({
    repository: createEcg12Repository(o.database.db),
    patientScope: o.repositories.patientScope,
    clock: o.clock,
    newId: o.newId,
    model: loaded.model,
    modelVersion: loaded.version,
  });
}
