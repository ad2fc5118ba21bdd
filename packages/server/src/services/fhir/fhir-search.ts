import { validationFailed } from '../../errors/catalogue.js';
import type { MsRange } from '../../repositories/fhir.repository.js';
import { isCalendarDate } from '../calendar-date.js';

/** A query string as Fastify parses it: a repeated parameter is an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 500;

/** The search parameters each resource type accepts (the CapabilityStatement lists the same). */
export const SEARCH_PARAMS = {
  Patient: ['_id', '_lastUpdated'],
  Practitioner: ['_id', '_lastUpdated'],
  Device: ['patient', '_lastUpdated'],
  Observation: ['patient', 'subject', 'code', 'date', '_lastUpdated'],
  DiagnosticReport: ['patient', 'subject', 'code', 'date', '_lastUpdated'],
  AuditEvent: ['patient', 'agent', 'action', 'outcome', 'date'],
} as const;
export type FhirSearchType = keyof typeof SEARCH_PARAMS;

/**
 * Parameters every search accepts: page size, resume point, the format (JSON only), and
 * `_total` (`none` skips counting a patient's whole history on every page; `accurate` default).
 */
const RESULT_PARAMS = ['_count', '_cursor', '_format', '_total'];

export interface TokenCriterion {
  system: string | undefined;
  code: string;
}

export interface SearchCriteria {
  count: number;
  /** False with `_total=none`: the Bundle then has no `total`. */
  total: boolean;
  cursor: string | undefined;
  ids: string[] | undefined;
  patientId: string | undefined;
  /** Any of these codes (a comma-separated token list is an OR). */
  codes: TokenCriterion[] | undefined;
  date: MsRange;
  lastUpdated: MsRange;
  /** AuditEvent: the acting user or device id. */
  agent: string | undefined;
  /** AuditEvent: C, R, U, D or E (any of). */
  actions: string[] | undefined;
  /** AuditEvent: 0, 4 or 8. */
  outcome: string | undefined;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * A FHIR date/dateTime search value as the range of instants it stands for
 * (http://hl7.org/fhir/R4/search.html#date): "2026-12-04" is that whole UTC day, a time without
 * seconds the whole minute. Undefined when the value is not a date.
 */
export function fhirDateRange(value: string): { start: number; end: number } | undefined {
  const m = DATE.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? undefined : Number(mo);
  const day = d === undefined ? undefined : Number(d);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && !isCalendarDate(year, month ?? 1, day)) return undefined;
  if (h === undefined) {
    // Dates without a time are taken in UTC (Vigil stores instants; FHIR leaves it to the server).
    const start = Date.UTC(year, (month ?? 1) - 1, day ?? 1);
    const end =
      day !== undefined
        ? Date.UTC(year, (month ?? 1) - 1, day + 1)
        : month !== undefined
          ? Date.UTC(year, month, 1)
          : Date.UTC(year + 1, 0, 1);
    return { start, end: end - 1 };
  }
  const hour = Number(h);
  const minute = Number(mi);
  if (hour > 23 || minute > 59 || (s !== undefined && Number(s) > 59)) return undefined;
  const isoText = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac === undefined ? '' : `.${frac.slice(0, 3)}`}${zone}`;
  const start = Date.parse(isoText);
  if (Number.isNaN(start)) return undefined;
  // The precision given is the range: a minute, a second, or the fraction's last digit (≥ 1 ms).
  const step =
    s === undefined
      ? 60_000
      : frac === undefined
        ? 1000
        : Math.max(1, 1000 / 10 ** Math.min(frac.length, 3));
  return { start, end: start + step - 1 };
}

/** Narrows `range` by one `date`/`_lastUpdated` value with its prefix (eq, gt, lt, ge, le). */
function applyDate(range: MsRange, name: string, raw: string): MsRange {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(raw);
  const prefix = m?.[1] ?? 'eq';
  const value = m?.[2] ?? '';
  if (!['eq', 'gt', 'lt', 'ge', 'le'].includes(prefix))
    throw validationFailed(name, `the prefix ${prefix} is not supported (eq, gt, lt, ge, le are)`);
  const r = fhirDateRange(value);
  if (r === undefined)
    throw validationFailed(
      name,
      `${value} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a time zone)`,
    );
  const min = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
  const max = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));
  // A stored time is an instant t: eq → start ≤ t ≤ end; ge → t ≥ start; gt → t > end;
  // le → t ≤ end; lt → t < start.
  switch (prefix) {
    case 'ge':
      return { ...range, min: max(range.min, r.start) };
    case 'gt':
      return { ...range, min: max(range.min, r.end + 1) };
    case 'le':
      return { ...range, max: min(range.max, r.end) };
    case 'lt':
      return { ...range, max: min(range.max, r.start - 1) };
    default:
      return { min: max(range.min, r.start), max: min(range.max, r.end) };
  }
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** `Patient/<id>`, an absolute URL ending so, or (for `patient`) the bare id. */
function patientReference(name: string, value: string): string {
  const parts = value.split('/');
  const id = parts[parts.length - 1] ?? '';
  const type = parts.length > 1 ? parts[parts.length - 2] : 'Patient';
  if (type !== 'Patient' || !ID.test(id))
    throw validationFailed(name, `${value} is not a reference to a Patient (Patient/<id>)`);
  return id;
}

function single(name: string, value: string | string[]): string {
  if (Array.isArray(value)) throw validationFailed(name, `${name} may be given once`);
  return value;
}

/**
 * Checks a search's query string against the parameters its type supports and returns them
 * parsed; an unknown parameter, a bad value or a missing required patient is a 400 naming it
 * (a client that gets a narrower result than it asked for would read wrong data as complete).
 */
export function parseSearch(type: FhirSearchType, query: RawQuery): SearchCriteria {
  const allowed = new Set<string>([...SEARCH_PARAMS[type], ...RESULT_PARAMS]);
  const criteria: SearchCriteria = {
    count: DEFAULT_COUNT,
    total: true,
    cursor: undefined,
    ids: undefined,
    patientId: undefined,
    codes: undefined,
    date: {},
    lastUpdated: {},
    agent: undefined,
    actions: undefined,
    outcome: undefined,
  };
  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    if (!allowed.has(name))
      throw validationFailed(
        name,
        `${name} is not a search parameter of ${type} here (supported: ${[...allowed].join(', ')})`,
      );
    const values = Array.isArray(raw) ? raw : [raw];
    switch (name) {
      case '_count': {
        const n = Number(single(name, raw));
        if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT)
          throw validationFailed(name, `_count must be an integer from 1 to ${MAX_COUNT}`);
        criteria.count = n;
        break;
      }
      case '_total': {
        const v = single(name, raw);
        if (v !== 'none' && v !== 'accurate')
          throw validationFailed(name, '_total must be none or accurate');
        criteria.total = v === 'accurate';
        break;
      }
      case '_cursor':
        criteria.cursor = single(name, raw);
        break;
      case '_format': {
        const f = single(name, raw);
        if (!['json', 'application/json', 'application/fhir+json'].includes(f))
          throw validationFailed(name, 'only JSON is served (json, application/fhir+json)');
        break;
      }
      case '_id':
        criteria.ids = values.flatMap((v) => v.split(','));
        break;
      case 'patient':
      case 'subject': {
        if (criteria.patientId !== undefined)
          throw validationFailed(name, 'give one patient (patient or subject, once)');
        const value = single(name, raw);
        if (value.includes(','))
          throw validationFailed(name, 'one patient per search (no comma-separated list)');
        criteria.patientId = patientReference(name, value);
        break;
      }
      case 'code':
        criteria.codes = values
          .flatMap((v) => v.split(','))
          .map((token) => {
            const bar = token.indexOf('|');
            if (bar < 0) return { system: undefined, code: token };
            return { system: token.slice(0, bar) || undefined, code: token.slice(bar + 1) };
          });
        break;
      case 'agent': {
        const v = single(name, raw);
        const id = v.slice(v.lastIndexOf('/') + 1);
        if (!ID.test(id))
          throw validationFailed(
            name,
            `${v} is not one agent (Practitioner/<id>, Patient/<id> or a device id)`,
          );
        criteria.agent = id;
        break;
      }
      case 'action':
        criteria.actions = values.flatMap((v) => v.split(','));
        for (const a of criteria.actions)
          if (!['C', 'R', 'U', 'D', 'E'].includes(a))
            throw validationFailed(name, `action is C, R, U, D or E, not ${a}`);
        break;
      case 'outcome': {
        const v = single(name, raw);
        if (!['0', '4', '8', '12'].includes(v))
          throw validationFailed(name, 'outcome is 0, 4, 8 or 12');
        criteria.outcome = v;
        break;
      }
      case 'date':
        for (const v of values) criteria.date = applyDate(criteria.date, name, v);
        break;
      case '_lastUpdated':
        for (const v of values) criteria.lastUpdated = applyDate(criteria.lastUpdated, name, v);
        break;
    }
  }
  if ((type === 'Observation' || type === 'DiagnosticReport') && criteria.patientId === undefined)
    throw validationFailed('patient', `a ${type} search names its patient (patient or subject)`);
  return criteria;
}
