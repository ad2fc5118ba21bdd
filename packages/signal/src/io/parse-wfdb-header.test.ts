import { describe, expect, it } from 'vitest';
import { SignalInputError } from '../errors.js';
import { parseWfdbHeader } from './parse-wfdb-header.js';

describe('parseWfdbHeader', () => {
  it('reads a PhysioNet MIT-BIH header with CRLF line endings and comments', () => {
    const text =
      '101 2 360 650000\r\n' +
      '101.dat 212 200 11 1024 955 29832 0 MLII\r\n' +
      '101.dat 212 200 11 1024 992 19589 0 V1\r\n' +
      '# 75 F 1011 654 x1\r\n# Diapres\r\n';
    const h = parseWfdbHeader(text);
    expect(h).toMatchObject({ name: '101', nSignals: 2, fs: 360, nSamples: 650000 });
    expect(h.comments).toEqual(['75 F 1011 654 x1', 'Diapres']);
    expect(h.signals[1]).toMatchObject({
      fileName: '101.dat',
      format: 212,
      gain: 200,
      baseline: 1024, // no explicit baseline: defaults to ADC zero
      units: 'mV',
      adcResolution: 11,
      adcZero: 1024,
      initialValue: 992,
      checksum: 19589,
      blockSize: 0,
      description: 'V1',
    });
  });

  it('reads baseline, units, counter frequency, base time and a multi-word description', () => {
    const text = [
      'rec 1 500/1000(12) 5000 12:30:00 01/02/2020',
      'rec.dat 16+24 30061.27(-161790)/uV 16 0 -10581 64292 0 Lead I chest',
    ].join('\n');
    const h = parseWfdbHeader(text);
    expect(h).toMatchObject({
      fs: 500,
      counterFrequency: 1000,
      baseCounter: 12,
      baseTime: '12:30:00',
      baseDate: '01/02/2020',
    });
    expect(h.signals[0]).toMatchObject({
      format: 16,
      byteOffset: 24,
      gain: 30061.27,
      baseline: -161790,
      units: 'uV',
      description: 'Lead I chest',
    });
  });

  it('applies WFDB defaults: 250 Hz, gain 200 when 0 or absent, unknown length', () => {
    const h = parseWfdbHeader('x 2\nx.dat 212 0\nx.dat 212\n');
    expect(h.fs).toBe(250);
    expect(h.nSamples).toBeNull();
    expect(h.signals.map((s) => s.gain)).toEqual([200, 200]);
  });

  it('rejects empty text, missing signal lines and multi-segment records with typed errors', () => {
    expect(() => parseWfdbHeader('')).toThrow(SignalInputError);
    expect(() => parseWfdbHeader('r 2 360\nr.dat 212\n')).toThrow(/declares 2 signals/);
    expect(() => parseWfdbHeader('r/3 2 360 100\n')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
    expect(() => parseWfdbHeader('r 1 abc\nr.dat 16\n')).toThrow(
      expect.objectContaining({ code: 'INVALID_HEADER', field: 'header' }),
    );
  });
});
