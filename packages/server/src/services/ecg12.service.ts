import {
  ECG12_CLASS_TABLE,
  type Ecg12BatchResult,
  type Ecg12Classification,
  type Ecg12HistoryPage,
  type Ecg12HistoryQuery,
  type Ecg12HistoryRecord,
  type Ecg12Stats,
  type Ecg12StoredClassification,
} from '@vigil/protocol';
import {
  ECG12_LEADS,
  interpretEcg12,
  SignalInputError,
  type Ecg12Model,
  type Ecg12Result,
} from '@vigil/signal';
import { decodeEcg12Record } from '@vigil/signal/io';
import type { Clock } from '../adapters/clock.js';
import { DomainError, isDomainError } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import { decodeEcgInt16, encodeEcgInt16 } from '../repositories/ecg-codec.js';
import type { PatientScopeRepository } from '../repositories/patient-scope.repository.js';
import {
  ecg12Metadata,
  ecg12RecordBody,
  isValidEcg12Input,
  normalizeEcg12Body,
  type Ecg12Input,
  type Ecg12Metadata,
} from './ecg12-input.js';
import type {
  Ecg12Repository,
  Ecg12RequestRow,
  Ecg12ResultRow,
  Ecg12StatsRow,
} from '../repositories/ecg12.repository.js';

export interface Ecg12ServiceDeps {
  repository: Ecg12Repository;
  patientScope: Pick<PatientScopeRepository, 'canSee'>;
  clock: Clock;
  newId: () => string;
  /**
   * The trained model giving the class probabilities (ECG12_MODEL_PATH, or the one shipped in
   * @vigil/signal); the published criteria give the findings.
   */
  model: Ecg12Model;
  /** The model's provenance; stored with every result. */
  modelVersion: string;
}

/** The caller: a signed-in user, or null when anonymous classification is allowed. */
export type Ecg12Caller = Viewer | null;

export interface Ecg12RecordUpload {
  header: string;
  data: Uint8Array;
  /** Form fields overriding the header's `# Age:` / `# Sex:` comments. */
  fields: Record<string, string>;
}

type Outcome = { ok: true; result: Ecg12Classification } | { ok: false; error: DomainError };

const round = (v: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? round(v) : null);

function classOf(result: Ecg12Result) {
  const entry = ECG12_CLASS_TABLE.find((c) => c.superclass === result.topClass);
  if (entry === undefined) throw new Error(`unknown class ${result.topClass}`);
  return entry;
}

/**
 * 12-lead ECG classification (seed 003): checks the input, interprets it with @vigil/signal's
 * `interpretEcg12` (the trained model's probabilities, the published criteria's findings), and stores every request —
 * successful or refused — in the history with its metadata, class, processing time and caller.
 */
export function createEcg12Service(deps: Ecg12ServiceDeps) {
  const { repository, clock } = deps;

  function rowOf(
    caller: Ecg12Caller,
    type: 'single' | 'batch',
    meta: Ecg12Metadata,
    patientId: string | null,
    elapsedMs: number,
    outcome: Outcome,
  ): Ecg12RequestRow {
    const r = outcome.ok ? outcome.result : undefined;
    return {
      id: r?.id ?? deps.newId(),
      created_at: clock.now(),
      request_type: type,
      success: outcome.ok ? 1 : 0,
      error_code: outcome.ok ? null : outcome.error.code,
      error_message: outcome.ok ? null : outcome.error.message.slice(0, 500),
      caller_user_id: caller?.id ?? null,
      patient_id: patientId,
      ...meta,
      class_index: r?.class_index ?? null,
      class_name: r?.class_name ?? null,
      class_description: r?.class_description ?? null,
      processing_ms: round(elapsedMs, 3),
      model_version: deps.modelVersion,
    };
  }

  async function checkPatient(caller: Ecg12Caller, patientId: string | undefined, prefix: string) {
    if (patientId === undefined) return;
    if (caller === null || !(await deps.patientScope.canSee(caller, patientId)))
      throw new DomainError('PATIENT_NOT_FOUND', { field: `${prefix}patient_id` });
  }

  function interpret(input: Ecg12Input, started: number, prefix = ''): Ecg12Classification {
    let result: Ecg12Result;
    try {
      result = interpretEcg12(input.leadsMv, {
        samplingRateHz: input.samplingRateHz,
        age: input.age,
        sex: input.sex === 1 ? 'male' : 'female',
        model: deps.model,
      });
    } catch (error) {
      if (error instanceof SignalInputError)
        throw new DomainError('ECG12_NOT_INTERPRETABLE', {
          field: `${prefix}ecg_signal`,
          message: prefix === '' ? error.message : `${prefix}ecg_signal: ${error.message}`,
          cause: error,
        });
      throw error;
    }
    const cls = classOf(result);
    const m = result.measurements;
    return {
      id: deps.newId(),
      class_index: cls.class_index,
      class_name: cls.class_name,
      class_description: cls.class_description,
      probabilities: {
        NORM: round(result.probabilities.NORM, 4),
        MI: round(result.probabilities.MI, 4),
        STTC: round(result.probabilities.STTC, 4),
        CD: round(result.probabilities.CD, 4),
        HYP: round(result.probabilities.HYP, 4),
      },
      measurements: {
        heart_rate_bpm: finiteOrNull(m.heartRateBpm),
        rr_ms: finiteOrNull(m.rrMs),
        pr_ms: finiteOrNull(m.prMs),
        qrs_ms: finiteOrNull(m.qrsMs),
        qt_ms: finiteOrNull(m.qtMs),
        qtc_bazett_ms: finiteOrNull(m.qtcBazettMs),
        qtc_fridericia_ms: finiteOrNull(m.qtcFridericiaMs),
        axis_deg: finiteOrNull(m.axisDeg),
        axis_sector: m.axisSector,
        beat_count: m.beatCount,
      },
      findings: result.findings.map((f) => ({
        class: f.class,
        criterion: f.criterion,
        text: f.text,
      })),
      units_assessed: result.unitsAssessed,
      model_version: deps.modelVersion,
      processing_ms: round(performance.now() - started, 3),
    };
  }

  /**
   * The stored result of a success: the classification JSON, and the leads when the ECG belongs
   * to a patient (int16 per lead, 120 kB for 10 s at 500 Hz; anonymous or unattached ECGs are
   * not kept).
   */
  function resultRowOf(
    result: Ecg12Classification,
    input: Ecg12Input,
    patientId: string | null,
  ): Ecg12ResultRow {
    if (patientId === null)
      return {
        request_id: result.id,
        result_json: JSON.stringify(result),
        signal: null,
        signal_scales_mv: null,
      };
    const encoded = input.leadsMv.map((lead) => encodeEcgInt16(lead));
    const signal = new Uint8Array(encoded.reduce((n, e) => n + e.bytes.byteLength, 0));
    let at = 0;
    for (const e of encoded) {
      signal.set(e.bytes, at);
      at += e.bytes.byteLength;
    }
    return {
      request_id: result.id,
      result_json: JSON.stringify(result),
      signal,
      signal_scales_mv: JSON.stringify(encoded.map((e) => e.scaleMv)),
    };
  }

  /** Classifies one body; never throws a DomainError (it is the outcome), other errors do. */
  /**
   * A request body read into its input, its patient checked, and the patient it is for: a
   * patient classifying their own ECG acts for themself (their doctor sees it too). `prefix`
   * names a batch sample's fields (`samples[i].`).
   */
  async function checkedInput(
    caller: Ecg12Caller,
    body: unknown,
    prefix: string,
  ): Promise<{ input: Ecg12Input; patientId: string | null }> {
    const input = normalizeEcg12Body(body, prefix);
    await checkPatient(caller, input.patientId, prefix);
    return { input, patientId: input.patientId ?? (caller?.role === 'patient' ? caller.id : null) };
  }

  async function run(
    caller: Ecg12Caller,
    body: unknown,
  ): Promise<{ outcome: Outcome; row: Ecg12RequestRow; stored: Ecg12ResultRow | undefined }> {
    const started = performance.now();
    const meta = ecg12Metadata(body);
    let patientId: string | null = null;
    let outcome: Outcome;
    let stored: Ecg12ResultRow | undefined;
    try {
      const checked = await checkedInput(caller, body, '');
      const { input } = checked;
      patientId = checked.patientId;
      const result = interpret(input, started);
      outcome = { ok: true, result };
      stored = resultRowOf(result, input, patientId);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcome = { ok: false, error };
    }
    const elapsed = outcome.ok ? outcome.result.processing_ms : performance.now() - started;
    return { outcome, row: rowOf(caller, 'single', meta, patientId, elapsed, outcome), stored };
  }

  async function checkVisiblePatient(viewer: Viewer, patientId: string): Promise<void> {
    if (!(await deps.patientScope.canSee(viewer, patientId)))
      throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
  }

  return {
    modelVersion: deps.modelVersion,
    /** The model giving the class probabilities, for the analysis workers. */
    model: deps.model,

    /**
     * The interpretation of 12 simultaneous leads (I … V6, mV) with the configured scoring: what
     * the live 12-lead stream and seed 004's prediction paths use, nothing stored. Throws
     * ECG12_NOT_INTERPRETABLE (field `field`) when fewer than 2 beats can be measured.
     */
    interpretLeads(
      leadsMv: readonly Float64Array[],
      samplingRateHz: number,
      field = 'ecg',
    ): Ecg12Result {
      try {
        return interpretEcg12(leadsMv, { samplingRateHz, model: deps.model });
      } catch (error) {
        if (error instanceof SignalInputError)
          throw new DomainError('ECG12_NOT_INTERPRETABLE', {
            field,
            message: error.message,
            cause: error,
          });
        throw error;
      }
    },

    /** One ECG: the classification, or the DomainError of its input (stored either way). */
    async classify(caller: Ecg12Caller, body: unknown): Promise<Ecg12Classification> {
      const { outcome, row, stored } = await run(caller, body);
      await repository.insert([row], stored === undefined ? [] : [stored]);
      if (!outcome.ok) throw outcome.error;
      return outcome.result;
    },

    /**
     * Up to 100 ECGs, all or nothing: every sample is checked before any is interpreted, and the
     * first refused one (in index order) refuses the batch with its error, naming
     * `samples[i].<field>` (seed 003 answers 400 for the batch; a slot holding an error broke
     * clients reading `p['class_name']` from every slot). The refusal is kept in the history as
     * one failed batch request with what that sample sent, as a single refusal is; nothing of the
     * batch is classified or stored as a success.
     */
    async classifyBatch(
      caller: Ecg12Caller,
      samples: readonly unknown[],
    ): Promise<Ecg12BatchResult> {
      const started = performance.now();
      const refuse = async (
        index: number,
        error: DomainError,
        patientId: string | null,
      ): Promise<never> => {
        const meta = ecg12Metadata(samples[index]);
        const outcome: Outcome = { ok: false, error };
        await repository.insert([
          rowOf(caller, 'batch', meta, patientId, performance.now() - started, outcome),
        ]);
        throw error;
      };
      const checked: { input: Ecg12Input; patientId: string | null }[] = [];
      for (const [index, sample] of samples.entries()) {
        try {
          checked.push(await checkedInput(caller, sample, `samples[${index}].`));
        } catch (error) {
          if (!isDomainError(error)) throw error;
          return refuse(index, error, null);
        }
      }
      const rows: Ecg12RequestRow[] = [];
      const storedRows: Ecg12ResultRow[] = [];
      const results: Ecg12BatchResult['results'] = [];
      for (const [index, { input, patientId }] of checked.entries()) {
        let result: Ecg12Classification;
        try {
          result = interpret(input, performance.now(), `samples[${index}].`);
        } catch (error) {
          if (!isDomainError(error)) throw error;
          return refuse(index, error, patientId);
        }
        const outcome: Outcome = { ok: true, result };
        rows.push(
          rowOf(
            caller,
            'batch',
            ecg12Metadata(samples[index]),
            patientId,
            result.processing_ms,
            outcome,
          ),
        );
        storedRows.push(resultRowOf(result, input, patientId));
        results.push({ index, prediction: result, error: null });
      }
      await repository.insert(rows, storedRows);
      return { results, succeeded: results.length, failed: 0 };
    },

    /**
     * A WFDB record upload (`.hea` text + `.mat`/`.dat` bytes): decoded by @vigil/signal, then
     * classified as one request. Age and sex come from the form fields, else from the header's
     * comments; height, weight and heart axis from the form (heart axis NO_DATA by default). A
     * refusal names the form field or the file (`header`, `data`) at fault.
     */
    async classifyRecord(
      caller: Ecg12Caller,
      upload: Ecg12RecordUpload,
    ): Promise<Ecg12Classification> {
      const refuse = async (refused: DomainError): Promise<never> => {
        await repository.insert([
          rowOf(caller, 'single', ecg12Metadata(upload.fields), null, 0, {
            ok: false,
            error: refused,
          }),
        ]);
        throw refused;
      };
      let body: Record<string, unknown>;
      try {
        body = ecg12RecordBody(decodeEcg12Record(upload.header, upload.data), upload.fields);
      } catch (error) {
        if (isDomainError(error)) return refuse(error);
        if (!(error instanceof SignalInputError)) throw error;
        // The decoder names its own inputs (`bytes`, `signals[3].units`, `format`): the uploader
        // knows the two files.
        const file = ['bytes', 'data', 'files'].includes(error.field) ? 'data' : 'header';
        return refuse(
          new DomainError('ECG12_RECORD_INVALID', {
            field: file,
            message: `The record could not be decoded: ${error.message}`,
            cause: error,
          }),
        );
      }
      return this.classify(caller, body);
    },

    /**
     * The history the viewer may see; `patient_id` narrows it to one visible patient (else 404).
     * An anonymous caller (null: ECG12_ANONYMOUS, seed 003's public GET /history) sees the
     * anonymous requests only, and no patient.
     */
    async history(viewer: Ecg12Caller, query: Ecg12HistoryQuery): Promise<Ecg12HistoryPage> {
      if (query.patient_id !== undefined) {
        if (viewer === null) throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
        await checkVisiblePatient(viewer, query.patient_id);
      }
      const { total, rows } = await repository.list(viewer, {
        limit: query.limit,
        offset: query.offset,
        patientId: query.patient_id,
      });
      return {
        total,
        limit: query.limit,
        offset: query.offset,
        records: rows.map(toHistoryRecord),
      };
    },

    /**
     * One stored classification with its result and, for a patient's ECG, its 12 leads; 404 when
     * it does not exist or the viewer may not see it (same rule as the history).
     */
    async get(viewer: Viewer, id: string): Promise<Ecg12StoredClassification> {
      const found = await repository.find(viewer, id);
      if (found === undefined) throw new DomainError('ECG12_RESULT_NOT_FOUND', { field: 'id' });
      const { row, result } = found;
      return {
        record: toHistoryRecord(row),
        result:
          result === undefined ? null : (JSON.parse(result.result_json) as Ecg12Classification),
        signal:
          result?.signal == null || result.signal_scales_mv === null
            ? null
            : decodeStoredSignal(
                result.signal,
                JSON.parse(result.signal_scales_mv) as number[],
                row.sampling_rate_hz ?? 500,
              ),
      };
    },

    async deleteHistory(): Promise<{ message: string; deleted_count: number }> {
      const deleted = await repository.deleteAll();
      return { message: `Deleted ${deleted} history records`, deleted_count: deleted };
    },

    async stats(): Promise<Ecg12Stats> {
      return computeEcg12Stats(await repository.statsRows());
    },
  };
}
export type Ecg12Service = ReturnType<typeof createEcg12Service>;

export function toHistoryRecord(row: Ecg12RequestRow): Ecg12HistoryRecord {
  return {
    id: row.id,
    created_at: row.created_at,
    request_type: row.request_type,
    success: row.success === 1,
    error_code: row.error_code,
    error_message: row.error_message,
    caller_user_id: row.caller_user_id,
    patient_id: row.patient_id,
    age: row.age,
    sex: row.sex,
    height: row.height,
    weight: row.weight,
    heart_axis: row.heart_axis,
    sampling_rate_hz: row.sampling_rate_hz,
    n_samples: row.n_samples,
    predicted_class_index: row.class_index,
    predicted_class_name: row.class_name,
    predicted_class_description: row.class_description,
    processing_ms: row.processing_ms,
    model_version: row.model_version,
  };
}

/** The stored int16 leads back to mV, rounded to 1 µV (the JSON stays about 0.4 MB). */
function decodeStoredSignal(bytes: Uint8Array, scalesMv: readonly number[], rateHz: number) {
  const perLead = bytes.byteLength / scalesMv.length;
  return {
    sampling_rate_hz: rateHz,
    leads: [...ECG12_LEADS],
    samples_mv: scalesMv.map((scale, l) =>
      Array.from(
        decodeEcgInt16(bytes.subarray(l * perLead, (l + 1) * perLead), scale),
        (v) => Math.round(v * 1000) / 1000,
      ),
    ),
  };
}

/** Linear interpolation between closest ranks (numpy's default), on sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

function summary(values: readonly number[]) {
  if (values.length === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    mean: round(mean, 3),
    min: Math.min(...values),
    max: Math.max(...values),
    std: round(Math.sqrt(variance), 3),
  };
}

function count(values: readonly (string | number | null)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== null) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/**
 * The seed's statistics over every stored request: totals, processing time (mean, p50/p95/p99 by
 * linear interpolation, min, max), summaries (population std) and distributions of the inputs
 * their field's rule accepts.
 */
export function computeEcg12Stats(rows: readonly Ecg12StatsRow[]): Ecg12Stats {
  const ok = rows.filter((r) => r.success === 1);
  const times = rows.map((r) => r.processing_ms).sort((a, b) => a - b);
  // Only inputs their field's rule accepts: a refused request's sex 2, age -5 or heart axis
  // "mid" (kept in its history record) read as patients' inputs in the admin's statistics.
  const present = (k: 'age' | 'height' | 'weight') =>
    rows.map((r) => r[k]).filter((v): v is number => v !== null && isValidEcg12Input(k, v));
  const accepted = (k: 'sex' | 'heart_axis') =>
    rows.map((r) => r[k]).filter((v) => isValidEcg12Input(k, v));
  return {
    total_requests: rows.length,
    successful_requests: ok.length,
    failed_requests: rows.length - ok.length,
    processing_time:
      times.length === 0
        ? null
        : {
            mean_ms: round(times.reduce((s, v) => s + v, 0) / times.length, 3),
            p50_ms: round(percentile(times, 50), 3),
            p95_ms: round(percentile(times, 95), 3),
            p99_ms: round(percentile(times, 99), 3),
            min_ms: times[0] as number,
            max_ms: times[times.length - 1] as number,
          },
    input_stats: {
      age: summary(present('age')),
      height: summary(present('height')),
      weight: summary(present('weight')),
      sex_distribution: count(accepted('sex')),
      heart_axis_distribution: count(accepted('heart_axis')),
    },
    class_distribution: count(ok.map((r) => r.class_name)),
  };
}
