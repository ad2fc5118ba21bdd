import { describe, expect, it } from 'vitest';
import { DomainError } from '../../errors/catalogue.js';
import { fhirDateRange, parseSearch } from './fhir-search.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.field;
    throw error;
  }
  return undefined;
};

describe('FHIR date search values (R4 search §3.1.1.4.2: a value is the range of its precision)', () => {
  it('takes a date without time as the whole UTC day, month or year', () => {
    expect(fhirDateRange('2026-12-04')).toEqual({
      start: Date.UTC(2026, 11, 4),
      end: Date.UTC(2026, 11, 5) - 1,
    });
    expect(fhirDateRange('2026-12')).toEqual({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1) - 1,
    });
    expect(fhirDateRange('2026')).toEqual({
      start: Date.UTC(2026, 0, 1),
      end: Date.UTC(2027, 0, 1) - 1,
    });
  });

  it('takes a time with its zone, over the minute, second or millisecond given', () => {
    const at = Date.UTC(2026, 11, 4, 8, 0);
    expect(fhirDateRange('2026-12-04T10:00+02:00')).toEqual({ start: at, end: at + 59_999 });
    expect(fhirDateRange('2026-12-04T08:00:00Z')).toEqual({ start: at, end: at + 999 });
    expect(fhirDateRange('2026-12-04T08:00:00.5Z')).toEqual({ start: at + 500, end: at + 599 });
    expect(fhirDateRange('2026-12-04T08:00:00.250Z')).toEqual({ start: at + 250, end: at + 250 });
  });

  it('refuses a time without a zone and out-of-range fields', () => {
    for (const bad of [
      '2026-12-04T10:00',
      '2026-13',
      '2026-12-32',
      // Not calendar days (Date.UTC would roll them into March).
      '2026-02-29',
      '2026-02-30',
      '2026-04-31',
      '2026-02-30T00:00:00Z',
      '2026-12-04T24:00Z',
      'today',
      '',
    ])
      expect(fhirDateRange(bad), bad).toBeUndefined();
  });
});

describe('parseSearch', () => {
  it('intersects repeated date values with their prefixes into one window', () => {
    const c = parseSearch('Observation', {
      patient: 'Patient/p1',
      date: ['ge2026-12-04T08:00:00Z', 'lt2026-12-04T09:00:00Z', 'gt2026-12-04T07:00:00Z'],
    });
    expect(c.date).toEqual({
      min: Date.UTC(2026, 11, 4, 8),
      max: Date.UTC(2026, 11, 4, 9) - 1,
    });
    const le = parseSearch('Observation', { patient: 'p1', date: 'le2026-12-04' });
    expect(le.date).toEqual({ max: Date.UTC(2026, 11, 5) - 1 });
    const gt = parseSearch('Observation', { patient: 'p1', date: 'gt2026-12-04' });
    expect(gt.date).toEqual({ min: Date.UTC(2026, 11, 5) });
  });

  it('reads patient references in their three forms and codes with or without a system', () => {
    for (const ref of ['p-1', 'Patient/p-1', 'https://vigil.example/fhir/R4/Patient/p-1'])
      expect(parseSearch('Observation', { subject: ref }).patientId).toBe('p-1');
    expect(
      parseSearch('Observation', { patient: 'p', code: 'http://loinc.org|8867-4,2708-6' }).codes,
    ).toEqual([
      { system: 'http://loinc.org', code: '8867-4' },
      { system: undefined, code: '2708-6' },
    ]);
  });

  it('names the parameter at fault', () => {
    expect(fieldOf(() => parseSearch('Observation', { patient: 'p', category: 'x' }))).toBe(
      'category',
    );
    expect(fieldOf(() => parseSearch('Observation', { patient: 'Practitioner/x' }))).toBe(
      'patient',
    );
    expect(fieldOf(() => parseSearch('Observation', { patient: 'p', subject: 'q' }))).toBe(
      'subject',
    );
    expect(fieldOf(() => parseSearch('Observation', { patient: 'p', _count: '501' }))).toBe(
      '_count',
    );
    expect(fieldOf(() => parseSearch('Observation', { patient: 'p', date: 'sa2026' }))).toBe(
      'date',
    );
    expect(fieldOf(() => parseSearch('Observation', {}))).toBe('patient');
    expect(fieldOf(() => parseSearch('Patient', { code: '1' }))).toBe('code');
    expect(fieldOf(() => parseSearch('Patient', { _format: 'xml' }))).toBe('_format');
  });
});
