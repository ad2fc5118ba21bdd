import { readFileSync } from 'node:fs';
import { decodeEcg12Record } from '@vigil/signal/io';
import type { TestApp, TestUser } from '../helpers/index.js';

/**
 * A real 12-lead record: CinC 2021 (Georgia) E07509, complete right bundle branch block (CD),
 * committed with its licence in packages/signal/src/io/fixtures/cinc2021/.
 */
const dir = new URL('../../../signal/src/io/fixtures/cinc2021/', import.meta.url);
export const E07509_HEA = readFileSync(new URL('E07509.hea', dir), 'utf8');
export const E07509_MAT = new Uint8Array(readFileSync(new URL('E07509.mat', dir)));

const record = decodeEcg12Record(E07509_HEA, E07509_MAT);

/** `ecg_signal` of the seed: [5000][12] in mV, leads I II III aVR aVL aVF V1–V6. */
export const E07509_SIGNAL: number[][] = Array.from(
  { length: record.leadsMv[0]?.length ?? 0 },
  (_, i) => record.leadsMv.map((lead) => Math.round((lead[i] ?? 0) * 1000) / 1000),
);

/** The seed's classification body for E07509 (a 71-year-old man per its header). */
export function e07509Body(extra: Record<string, unknown> = {}) {
  return {
    age: 71,
    sex: 1,
    height: 175,
    weight: 80,
    heart_axis: 'MID',
    ecg_signal: E07509_SIGNAL,
    ...extra,
  };
}

/** A multipart/form-data body of files and fields for app.inject. */
export function multipart(
  files: { field: string; filename: string; content: Uint8Array | string }[],
  fields: Record<string, string>,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----vigil-test-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(f.content),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/**
 * E07509.mat with every sample row (the 12 leads at one instant, I II III aVR aVL aVF V1–V6, as
 * stored) replaced by `edit(row)`: MATLAB v4, a 24-byte header then int16 leads × samples. Every
 * lead of E07509 has gain 1000/mV and baseline 0, so lead relations hold on the stored integers.
 */
export function e07509MatWith(edit: (row: number[]) => number[]): Uint8Array {
  const mat = Uint8Array.from(E07509_MAT);
  const view = new DataView(mat.buffer);
  const header = 24;
  const n = (mat.length - header) / 2 / 12;
  const at = (c: number, lead: number): number => header + 2 * (c * 12 + lead);
  for (let c = 0; c < n; c++) {
    const row = Array.from({ length: 12 }, (_, l) => view.getInt16(at(c, l), true));
    edit(row).forEach((v, l) => {
      view.setInt16(at(c, l), v, true);
    });
  }
  return mat;
}

/** Uploads E07509's header with `mat` as its data (`/api/v1/ecg/classify/record`) for a patient. */
export function uploadE07509(t: TestApp, user: TestUser, patientId: string, mat: Uint8Array) {
  const form = multipart(
    [
      { field: 'header', filename: 'E07509.hea', content: E07509_HEA },
      { field: 'data', filename: 'E07509.mat', content: mat },
    ],
    { height: '175', weight: '80', patient_id: patientId },
  );
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/ecg/classify/record',
    headers: { ...user.headers, ...form.headers },
    payload: form.payload,
  });
}
