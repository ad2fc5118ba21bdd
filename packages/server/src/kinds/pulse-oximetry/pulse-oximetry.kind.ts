import type { OximetryPacket } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { SignalKind } from '../../ingest/signal-kind.js';
import { finiteNumber, finiteOrNull } from '../../ingest/timestamps.js';
import { assessOximetry, type OximetryValues } from './pulse-oximetry.assessor.js';
import { createOximetryRepository, type OximetryRecord } from './pulse-oximetry.repository.js';

export type PulseOximetryKind = SignalKind<
  OximetryPacket,
  OximetryValues,
  OximetryRecord,
  never,
  null
>;

/**
 * A pulse oximeter without ECG: SpO2, pulse rate and perfusion index, stored as they come and
 * shown to the alert rules (spo2_low, hr_high, hr_low).
 */
export function createPulseOximetryKind(deps: { db: Kysely<DB> }): PulseOximetryKind {
  return {
    name: 'pulse-oximetry',
    normalize: (p, field) => ({
      spo2: finiteNumber(p.spo2_percent, field('spo2_percent')),
      pulseRate: finiteNumber(p.pulse_rate_bpm, field('pulse_rate_bpm')),
      perfusionIndex: finiteOrNull(p.perfusion_index, field('perfusion_index')),
      battery: finiteOrNull(p.battery_percent, field('battery_percent')),
    }),
    // No waveform: every reading is assessed at once, in the device's request order.
    durationMs: () => 0,
    toRecord: (stored) => stored,
    liveEvent: () => null,
    createDeviceState: () => null,
    copyDeviceState: () => null,
    assess: ({ stored }) =>
      Promise.resolve({
        record: null,
        events: [],
        observation: assessOximetry(stored.reading.values, stored.reading.tsMs),
      }),
    repository: createOximetryRepository(deps.db),
  };
}
