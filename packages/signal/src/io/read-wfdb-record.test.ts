import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBeatSymbol } from '../ecg/beat-symbols.js';
import { readAnnotations } from './read-annotations.js';
import { readWfdbRecord } from './read-wfdb-record.js';

const fixtures = join(import.meta.dirname, 'fixtures');

/** WFDB's checksum: the sum of a signal's samples, as a 16-bit two's-complement number. */
function checksum(values: Int32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return (((sum % 65536) + 65536 + 32768) % 65536) - 32768;
}

describe('readWfdbRecord on MIT-BIH and CPSC 2021 excerpts', () => {
  it('decodes format 212 (MIT-BIH 119, CRLF header) to the values the header checksums', async () => {
    const rec = await readWfdbRecord(join(fixtures, '119'));
    expect(rec).toMatchObject({ name: '119', fs: 360, nSamples: 7200 });
    expect(rec.signals.map((s) => s.description)).toEqual(['MLII', 'V1']);
    rec.signals.forEach((s, i) => {
      const spec = rec.header.signals[i];
      expect(s.digital[0]).toBe(spec?.initialValue);
      expect(checksum(s.digital)).toBe(spec?.checksum);
    });
    // (825 - 1024) / 200 mV
    expect(rec.signals[0]?.physical[0]).toBeCloseTo(-0.995, 12);
  });

  it('decodes format 16 with a fractional gain and a non-zero baseline (CPSC 2021)', async () => {
    const rec = await readWfdbRecord(join(fixtures, 'data_101_6'));
    expect(rec).toMatchObject({ fs: 200, nSamples: 2000 });
    const lead = rec.signals[0];
    expect(lead?.gain).toBeCloseTo(30061.276794035417, 9);
    expect(lead?.digital[0]).toBe(-10581);
    expect(lead?.physical[0]).toBeCloseTo((-10581 + 161790) / 30061.276794035417, 12);
    rec.signals.forEach((s, i) => {
      expect(checksum(s.digital)).toBe(rec.header.signals[i]?.checksum);
    });
  });
});

describe('readAnnotations on MIT-BIH excerpts', () => {
  it('reads beat labels, rhythm changes in aux and subtypes (208)', async () => {
    const anns = await readAnnotations(join(fixtures, '208'));
    expect(anns.map((a) => a.symbol).join('')).toBe('+FVNFVNVVNVVNVVNVVNFVNFVNFVNVV~NFVN');
    expect(anns[0]).toMatchObject({ sample: 9, symbol: '+', aux: '(N' });
    expect(anns[2]).toMatchObject({ sample: 209, symbol: 'V', subtype: 1 });
    expect(anns.filter((a) => isBeatSymbol(a.symbol))).toHaveLength(33);
  });

  it('keeps noise marks apart from beats (203, atrial fibrillation)', async () => {
    const anns = await readAnnotations(join(fixtures, '203'));
    expect(anns[0]).toMatchObject({ sample: 14, symbol: '+', aux: '(AFIB' });
    expect(anns.filter((a) => a.symbol === '~')).toHaveLength(2);
    expect(anns.filter((a) => isBeatSymbol(a.symbol))).toHaveLength(36);
  });
});
