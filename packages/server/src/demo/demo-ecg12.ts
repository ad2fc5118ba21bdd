import { readFileSync } from 'node:fs';
import { decodeEcg12Record, type Ecg12Record } from '@vigil/signal/io';
import type { Ecg12Service } from '../services/ecg12.service.js';
import type { SeededClinic } from './demo-clinic.js';

/** The demo patient whose page shows a stored 12-lead classification. */
export const DEMO_ECG12_PATIENT = 'Ben Carter';

/**
 * A real 12-lead record: CinC 2021 (Georgia) E07509, a 71-year-old man with a complete right
 * bundle branch block, committed with its CC BY 4.0 notice in @vigil/signal's io fixtures.
 * (The bundle keeps each module's own import.meta.url, so this path works from dist/ too.)
 */
const RECORD_DIR = new URL('../../../signal/src/io/fixtures/cinc2021/', import.meta.url);

export function readDemoEcg12Record(): { header: string; data: Uint8Array } {
  return {
    header: readFileSync(new URL('E07509.hea', RECORD_DIR), 'utf8'),
    data: new Uint8Array(readFileSync(new URL('E07509.mat', RECORD_DIR))),
  };
}

/**
 * Gives the demo patient one stored 12-lead classification, made by their doctor through the
 * service like an upload from the dashboard, so a newcomer finds the 12-lead page filled.
 * Idempotent: nothing is added when the patient already has one. Returns its id.
 */
export async function seedDemoEcg12(
  ecg12: Ecg12Service,
  clinic: SeededClinic,
  record: { header: string; data: Uint8Array } = readDemoEcg12Record(),
): Promise<string> {
  const doctor = clinic.doctors.find((d) => d.patients.some((p) => p.name === DEMO_ECG12_PATIENT));
  const patient = doctor?.patients.find((p) => p.name === DEMO_ECG12_PATIENT);
  if (doctor === undefined || patient === undefined)
    throw new Error(`the demo clinic has no patient ${DEMO_ECG12_PATIENT}`);
  const caller = { id: doctor.id, role: 'doctor' as const };
  const existing = await ecg12.history(caller, { limit: 1, offset: 0, patient_id: patient.id });
  const first = existing.records.find((r) => r.success);
  if (first !== undefined) return first.id;
  const result = await ecg12.classifyRecord(caller, {
    ...record,
    fields: { height: '178', weight: '82', heart_axis: 'NO_DATA', patient_id: patient.id },
  });
  return result.id;
}

/** PTB-XL ecg_id 177 (ASMI 100), committed with its CC BY 4.0 notice in the same fixtures. */
const PTBXL_DIR = new URL('../../../signal/src/io/fixtures/ptbxl/', import.meta.url);

/**
 * What the demo's 12-lead streaming sensor replays, back to back: CinC 2021 HR06006 (PTB-XL
 * ecg_id 6006, labelled NORM: no MI alert) then PTB-XL ecg_id 177 (labelled anteroseptal MI,
 * likelihood 100: the live interpretation finds pathological Q waves in V2–V3 and opens a 12-lead
 * MI alert). See the fixtures' NOTICE files for how the MI record was chosen.
 */
export function readDemoEcg12Stream(): Ecg12Record[] {
  const read = (dir: URL, header: string, data: string) =>
    decodeEcg12Record(
      readFileSync(new URL(header, dir), 'utf8'),
      new Uint8Array(readFileSync(new URL(data, dir))),
    );
  return [
    read(RECORD_DIR, 'HR06006.hea', 'HR06006.mat'),
    read(PTBXL_DIR, '00177_hr.hea', '00177_hr.dat'),
  ];
}
