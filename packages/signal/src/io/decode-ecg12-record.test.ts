import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEcg12Record } from './decode-ecg12-record.js';
import { parseMatlabV4 } from './parse-matlab-v4.js';
import { readEcg12Record } from './read-ecg12-record.js';

const fixture = join(import.meta.dirname, 'fixtures', 'cinc2021', 'E07509');

describe('12-lead record readers', () => {
  it('reads a CinC 2021 .hea + MATLAB v4 .mat record in mV with age, sex and Dx codes', async () => {
    const record = await readEcg12Record(`${fixture}.hea`);
    expect(record).toMatchObject({
      name: 'E07509',
      samplingRateHz: 500,
      age: 71,
      sex: 'male',
      dx: ['59118001', '426177001'],
    });
    expect(record.leadsMv).toHaveLength(12);
    expect(record.leadsMv[0]?.length).toBe(5000);
    // First samples as written in the header's initial-value column (ADC / gain 1000): I −4, II −63.
    expect(record.leadsMv[0]?.[0]).toBeCloseTo(-0.004, 6);
    expect(record.leadsMv[1]?.[0]).toBeCloseTo(-0.063, 6);
    // Einthoven: the derived lead III equals II − I within the 1 µV quantisation.
    const [i, ii, iii] = record.leadsMv;
    for (let k = 0; k < 5000; k += 97)
      expect(Math.abs((iii?.[k] ?? 0) - ((ii?.[k] ?? 0) - (i?.[k] ?? 0)))).toBeLessThanOrEqual(
        0.0021,
      );
  });

  it('decodes the same samples from upload bytes, as .mat and as a WFDB format-16 .dat', async () => {
    const headerText = await readFile(`${fixture}.hea`, 'utf8');
    const mat = new Uint8Array(await readFile(`${fixture}.mat`));
    const fromMat = decodeEcg12Record(headerText, mat);
    const matrix = parseMatlabV4(mat);
    const dat = new Int16Array(matrix.data.length);
    dat.set(Array.from(matrix.data));
    const datHeader = headerText.replace(/E07509\.mat 16x1\+24/g, 'E07509.dat 16');
    const fromDat = decodeEcg12Record(datHeader, new Uint8Array(dat.buffer));
    expect(fromDat.leadsMv.map((l) => Array.from(l.subarray(0, 50)))).toEqual(
      fromMat.leadsMv.map((l) => Array.from(l.subarray(0, 50))),
    );
    expect(Array.from(fromDat.leadsMv[11] ?? [])).toEqual(Array.from(fromMat.leadsMv[11] ?? []));
  });

  it('reorders leads by name and refuses a record without all 12', async () => {
    const headerText = await readFile(`${fixture}.hea`, 'utf8');
    const mat = new Uint8Array(await readFile(`${fixture}.mat`));
    const lines = headerText.split('\n');
    // Swap the names of I and V6: the reader must follow the names, not the positions.
    const swapped = lines
      .map((line, k) =>
        k === 1 ? line.replace(/ I$/, ' V6') : k === 12 ? line.replace(/ V6$/, ' I') : line,
      )
      .join('\n');
    const a = decodeEcg12Record(headerText, mat);
    const b = decodeEcg12Record(swapped, mat);
    expect(Array.from(b.leadsMv[0] ?? [])).toEqual(Array.from(a.leadsMv[11] ?? []));
    const missing = lines
      .map((line, k) => (k === 5 ? line.replace(/ aVL$/, ' X') : line))
      .join('\n');
    expect(() => decodeEcg12Record(missing, mat)).toThrow(/lead avl is missing/);
    expect(() => decodeEcg12Record(headerText, new Uint8Array(0))).toThrow(/empty/);
  });
});
