import { describe, expect, it } from 'vitest';
import { parseMitAnnotations } from './parse-mit-annotations.js';

/** One 16-bit annotation word, little-endian: code A in the top 6 bits, value I in the low 10. */
function w(a: number, i: number): number[] {
  const v = (a << 10) | i;
  return [v & 0xff, v >> 8];
}

describe('parseMitAnnotations', () => {
  it('decodes SKIP, NUM, SUB, CHN and AUX with getann semantics', () => {
    const bytes = Uint8Array.from([
      ...w(28, 10), // '+' at sample 10
      ...w(63, 5),
      ...[0x28, 0x41, 0x46, 0x49, 0x42, 0], // aux "(AFIB" padded to even length
      ...w(59, 0),
      ...[0x01, 0x00, 0xa0, 0x86], // SKIP 0x0001_86a0 = 100000 samples
      ...w(1, 7), // 'N' at 100017
      ...w(61, 3), // its subtype 3
      ...w(62, 1), // channel 1 from now on
      ...w(60, 2), // num 2 from now on
      ...w(5, 300), // 'V' at 100317: keeps chan 1 and num 2, not subtype 3
      ...w(0, 0),
      ...w(1, 1), // after the end word: ignored
    ]);
    expect(parseMitAnnotations(bytes)).toEqual([
      { sample: 10, symbol: '+', code: 28, subtype: 0, chan: 0, num: 0, aux: '(AFIB' },
      { sample: 100017, symbol: 'N', code: 1, subtype: 3, chan: 1, num: 2, aux: '' },
      { sample: 100317, symbol: 'V', code: 5, subtype: 0, chan: 1, num: 2, aux: '' },
    ]);
  });

  it('names codes without a mnemonic like WFDB and reads an empty file as no annotations', () => {
    expect(parseMitAnnotations(Uint8Array.from([...w(45, 1)]))[0]?.symbol).toBe('[45]');
    expect(parseMitAnnotations(new Uint8Array(0))).toEqual([]);
  });

  it('rejects an AUX field running past the end of the bytes', () => {
    expect(() => parseMitAnnotations(Uint8Array.from([...w(1, 1), ...w(63, 9), 0x41]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ANNOTATIONS', field: 'bytes' }),
    );
  });
});
