import { readFileSync } from 'node:fs';
import { decodeEcg12Record } from '@vigil/signal/io';

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
