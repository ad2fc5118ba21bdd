import {
  ECG12_DEFAULT_RATE_HZ,
  ECG12_DURATION_S,
  ECG12_MAX_DURATION_S,
  ECG12_MIN_DURATION_S,
  ECG12_MAX_RATE_HZ,
  ECG12_MIN_RATE_HZ,
  Ecg12ClassifyBodySchema,
  type Ecg12ClassifyBody,
  type Ecg12HeartAxis,
} from '@vigil/protocol';
import { Compile } from 'typebox/compile';
import { ECG12_LEADS } from '@vigil/signal';
import { Value } from 'typebox/value';
import { describeValidation } from '../errors/describe-validation.js';
import { DomainError, validationFailed } from '../errors/catalogue.js';
import { finiteNumber, MIN_REAL_MAGNITUDE } from '../ingest/timestamps.js';

/** One request's input, ready for the interpreter. */
export interface Ecg12Input {
  age: number;
  sex: 0 | 1;
  height: number;
  weight: number;
  heartAxis: Ecg12HeartAxis;
  samplingRateHz: number;
  patientId: string | undefined;
  /** The 12 leads (I II III aVR aVL aVF V1–V6), mV. */
  leadsMv: Float32Array[];
}

/** What can be stored about a request even when its input is refused (best effort). */
export interface Ecg12Metadata {
  age: number | null;
  sex: number | null;
  height: number | null;
  weight: number | null;
  heart_axis: string | null;
  sampling_rate_hz: number | null;
  n_samples: number | null;
}

const checkBody = Compile(Ecg12ClassifyBodySchema);
const checkField = {
  age: Compile(Ecg12ClassifyBodySchema.properties.age),
  sex: Compile(Ecg12ClassifyBodySchema.properties.sex),
  height: Compile(Ecg12ClassifyBodySchema.properties.height),
  weight: Compile(Ecg12ClassifyBodySchema.properties.weight),
  heart_axis: Compile(Ecg12ClassifyBodySchema.properties.heart_axis),
};

/**
 * Whether a stored input meets its field's rule (the body schema's). A refused request keeps what
 * it sent in the history (`ecg12Metadata`), which may be a sex of 2 or an age of -5.
 */
export function isValidEcg12Input(field: keyof typeof checkField, value: unknown): boolean {
  return checkField[field].Check(value);
}
const N_LEADS = 12;
/** The largest float32 (the leads' storage), as the refusal states it. */
const F32_MAX_TEXT = '3.4e38';

/** The largest float32, what a PostgreSQL `real` column holds (beyond it: "out of range"). */
const F32_MAX = 3.4028234663852886e38;
/** The largest PostgreSQL `integer`. */
const INT32_MAX = 2 ** 31 - 1;

/**
 * A finite number a `real` column holds (PostgreSQL refuses magnitudes below ~1e-45 and above
 * float32's), else null: a refused request's metadata must not fail its own history insert (500).
 */
const numberOrNull = (v: unknown): number | null =>
  typeof v === 'number' &&
  Number.isFinite(v) &&
  (v === 0 || (Math.abs(v) >= MIN_REAL_MAGNITUDE && Math.abs(v) <= F32_MAX))
    ? v
    : null;

/** An integer an `integer` column holds, else null (sex 1.5 failed the insert on PostgreSQL). */
const integerOrNull = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT32_MAX ? v : null;

/** The metadata fields of a body of any shape, null where absent or not a number. */
export function ecg12Metadata(body: unknown): Ecg12Metadata {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    age: numberOrNull(b.age),
    sex: integerOrNull(b.sex),
    height: numberOrNull(b.height),
    weight: numberOrNull(b.weight),
    // PostgreSQL text cannot hold U+0000.
    heart_axis:
      typeof b.heart_axis === 'string' && !b.heart_axis.includes('\u0000')
        ? b.heart_axis.slice(0, 32)
        : null,
    sampling_rate_hz: numberOrNull(b.sampling_rate_hz) ?? ECG12_DEFAULT_RATE_HZ,
    n_samples: Array.isArray(b.ecg_signal) ? b.ecg_signal.length : null,
  };
}

/**
 * Checks one classification body and returns its leads as Float32Arrays. The scalar fields are
 * checked by the protocol schema; the matrix by hand (one pass, no schema per sample): 5–60 s ×
 * sampling_rate_hz rows (the standard 10 s is 5000 at 500 Hz) of 12 finite numbers. Errors name the field,
 * `prefix` first (`samples[2].` in a batch): `ecg_signal` (row count), `ecg_signal[17]` (not
 * 12 numbers), `ecg_signal[17][3]` (not finite, or beyond the float32 range the leads are held in).
 */
export function normalizeEcg12Body(body: unknown, prefix = ''): Ecg12Input {
  // The protocol schema checks the scalar fields and that ecg_signal is an array; it is given an
  // empty array in its place (TypeBox's Default and Check would walk all 5000 rows, ~2 ms per
  // ECG), and the rows are checked by hand below.
  const signal: unknown = isObject(body) ? body.ecg_signal : undefined;
  const shallow = isObject(body)
    ? { ...body, ...(Array.isArray(signal) ? { ecg_signal: [] } : {}) }
    : body;
  const withDefaults = Value.Default(Ecg12ClassifyBodySchema, shallow);
  if (!checkBody.Check(withDefaults)) {
    const { field, message } = describeValidation([...checkBody.Errors(withDefaults)]);
    // A batch sample that is not an object is the sample itself (`samples[1]`), not a field of
    // it: `samples[1].(body) must be object` named no field a client has.
    const whole = prefix !== '' && field === '(body)';
    const at = whole ? prefix.replace(/\.$/, '') : `${prefix}${field}`;
    throw new DomainError('VALIDATION_FAILED', {
      field: at,
      message: prefix === '' ? message : whole ? message.replace(field, at) : `${prefix}${message}`,
    });
  }
  const b: Ecg12ClassifyBody = { ...withDefaults, ecg_signal: signal as unknown[] };
  // Stored in `real` columns: 1e-320 passed the schema, then the insert failed (a 500).
  for (const name of ['age', 'height', 'weight'] as const)
    finiteNumber(b[name], `${prefix}${name}`);
  if (b.patient_id?.includes('\u0000') === true)
    throw validationFailed(
      `${prefix}patient_id`,
      `${prefix}patient_id must not contain the NUL character (U+0000)`,
    );
  const rows = b.ecg_signal;
  const rate = b.sampling_rate_hz ?? ECG12_DEFAULT_RATE_HZ;
  const { min, max } = rowLimits(rate);
  const field = `${prefix}ecg_signal`;
  if (rows.length < min || rows.length > max) {
    // 12 rows as long as a record: leads × samples (numpy's `ecg.T`), the usual slip.
    const first: unknown = rows[0];
    const width = Array.isArray(first) ? first.length : 0;
    const transposed =
      rows.length === N_LEADS && width >= min && width <= max
        ? ` of ${width} values: leads × samples; send it transposed, one row of 12 leads per sample`
        : '';
    throw new DomainError('ECG12_SIGNAL_SHAPE', {
      field,
      message: `${field} must have ${min}–${max} rows (${ECG12_MIN_DURATION_S}–${ECG12_MAX_DURATION_S} s at ${rate} Hz; the standard ${ECG12_DURATION_S} s is ${Math.round(ECG12_DURATION_S * rate)}) of 12 leads [I, II, III, aVR, aVL, aVF, V1–V6] in mV, got ${rows.length} rows${transposed}`,
    });
  }
  const n = rows.length;
  const leads = Array.from({ length: N_LEADS }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const row: unknown = rows[i];
    if (!Array.isArray(row) || row.length !== N_LEADS) {
      const got = Array.isArray(row) ? `${row.length} values` : typeof row;
      throw new DomainError('ECG12_SIGNAL_SHAPE', {
        field: `${field}[${i}]`,
        message: `${field}[${i}] must be 12 numbers (leads I, II, III, aVR, aVL, aVF, V1–V6), got ${got}`,
      });
    }
    for (let l = 0; l < N_LEADS; l++) {
      const v: unknown = row[l];
      // The leads are Float32Arrays: a double beyond the float32 range (1e300) became Infinity
      // there and the interpreter refused it as `leads[3][10] is not a finite number`, a 422
      // naming the transposed index of an internal array instead of this field.
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new DomainError('ECG12_SIGNAL_NOT_FINITE', {
          field: `${field}[${i}][${l}]`,
          message: `${field}[${i}][${l}] must be a finite number (mV) within ±${F32_MAX_TEXT}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
        });
      }
      (leads[l] as Float32Array)[i] = v;
    }
  }
  return {
    age: b.age,
    sex: b.sex,
    height: b.height,
    weight: b.weight,
    heartAxis: b.heart_axis,
    samplingRateHz: rate,
    patientId: b.patient_id,
    leadsMv: leads,
  };
}

/**
 * Samples per lead accepted at `rate` Hz: 5–60 s, the interpreter's bounds. The shortest is
 * rounded up and the longest down, so that neither end lets through a record outside them.
 */
function rowLimits(rate: number): { min: number; max: number } {
  return {
    min: Math.ceil(ECG12_MIN_DURATION_S * rate),
    max: Math.floor(ECG12_MAX_DURATION_S * rate),
  };
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** A decoded record upload, as `ecg12RecordBody` needs it. */
export interface Ecg12RecordInput {
  samplingRateHz: number;
  /** The 12 leads (I … V6), mV. */
  leadsMv: readonly Float32Array[];
  /** From the header's `# Age:` / `# Sex:` comments, null when absent. */
  age: number | null;
  sex: 'male' | 'female' | null;
}

const FORM_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The classification body of an uploaded record (`POST /api/v1/ecg/classify/record`): the
 * decoded leads with the form's fields, age and sex falling back to the header's comments. The
 * refusals name what the uploader can fix, a form field or one of the two files, and the rule:
 * the checks of `normalizeEcg12Body` would name `ecg_signal` and `sampling_rate_hz`, which the
 * upload has none of, and say "age must be number" for a PTB-XL header that has no `# Age:`.
 */
export function ecg12RecordBody(
  record: Ecg12RecordInput,
  fields: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const formNumber = (name: string, unit: string): number | undefined => {
    const raw = fields[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    if (!FORM_DECIMAL.test(raw))
      throw validationFailed(
        name,
        `${name} must be a number (${unit}), got ${JSON.stringify(raw)}`,
      );
    return Number(raw);
  };
  const required = (name: string, unit: string): number => {
    const v = formNumber(name, unit);
    if (v === undefined) throw validationFailed(name, `${name} is required (form field, ${unit})`);
    return v;
  };
  const height = required('height', 'cm');
  const weight = required('weight', 'kg');
  const age = formNumber('age', 'years') ?? record.age;
  if (age === null)
    throw validationFailed(
      'age',
      "age is required: the record's header has no '# Age:' comment, so give the form field age (years)",
    );
  const sexField = fields.sex?.trim().toLowerCase();
  const sexFromForm =
    sexField === undefined || sexField === ''
      ? undefined
      : ['0', 'f', 'female'].includes(sexField)
        ? 0
        : ['1', 'm', 'male'].includes(sexField)
          ? 1
          : null;
  if (sexFromForm === null)
    throw validationFailed(
      'sex',
      `sex must be 0 (female) or 1 (male), got ${JSON.stringify(fields.sex)}`,
    );
  const sex = sexFromForm ?? (record.sex === null ? undefined : record.sex === 'male' ? 1 : 0);
  if (sex === undefined)
    throw validationFailed(
      'sex',
      "sex is required: the record's header has no '# Sex:' comment, so give the form field sex (0 female, 1 male)",
    );
  const rate = record.samplingRateHz;
  if (!(rate >= ECG12_MIN_RATE_HZ && rate <= ECG12_MAX_RATE_HZ))
    throw new DomainError('ECG12_RECORD_INVALID', {
      field: 'header',
      message: `The record's sampling rate is ${rate} Hz; the interpretation needs ${ECG12_MIN_RATE_HZ}–${ECG12_MAX_RATE_HZ} Hz`,
    });
  const n = record.leadsMv[0]?.length ?? 0;
  const { min, max } = rowLimits(rate);
  if (n < min || n > max)
    throw new DomainError('ECG12_RECORD_INVALID', {
      field: 'data',
      message: `The record must be a resting ECG of ${ECG12_MIN_DURATION_S}–${ECG12_MAX_DURATION_S} s: ${min}–${max} samples per lead at its ${rate} Hz; it has ${n} (${Math.round((n / rate) * 100) / 100} s)`,
    });
  // WFDB writes a sample it does not have as its format's invalid value (-32768 in format 16),
  // decoded as NaN: named here by lead and sample, not as the ecg_signal[i][j] of a body the
  // uploader never wrote.
  record.leadsMv.forEach((lead, l) => {
    const first = lead.findIndex((v) => !Number.isFinite(v));
    if (first < 0) return;
    const missing = lead.reduce((k, v) => (Number.isFinite(v) ? k : k + 1), 0);
    throw new DomainError('ECG12_RECORD_INVALID', {
      field: 'data',
      message: `Lead ${ECG12_LEADS[l] ?? l + 1} has ${missing} missing samples (WFDB's invalid-sample value), the first at sample ${first}: the interpretation needs every sample of the 12 leads`,
    });
  });
  return {
    age,
    sex,
    height,
    weight,
    heart_axis: fields.heart_axis ?? 'NO_DATA',
    sampling_rate_hz: rate,
    ...(fields.patient_id === undefined ? {} : { patient_id: fields.patient_id }),
    ecg_signal: Array.from({ length: n }, (_, i) =>
      record.leadsMv.map((lead) => lead[i] as number),
    ),
  };
}
