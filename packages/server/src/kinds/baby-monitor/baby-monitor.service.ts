import {
  BABY_AUDIO_LIMITS,
  type BabyLatest,
  type BabyLatestQuery,
  type BabyReading,
  type BabyReadingsQuery,
  type BabyStats,
  type BabyStatsQuery,
  type BabyTimeseries,
  type BabyTimeseriesInterval,
  type BabyTimeseriesQuery,
  type Seed002ChartDaysQuery,
  type Seed002CryChart,
  type Seed002CryChartQuery,
  type Seed002HealthDistribution,
  type Seed002HourlyHeatmap,
  type Seed002RouterCheck,
  type Seed002TemperatureChart,
  type Seed002TemperatureChartQuery,
  SEED002_HEALTH_DISTRIBUTION,
} from '@vigil/protocol';
import { detectCry, loadCryModel, SignalInputError } from '@vigil/signal';
import { AudioDecodeError, decodeAudio } from '@vigil/signal/io';
import type { Clock } from '../../adapters/clock.js';
import type { BabyReadingsTable } from '../../db/pipeline-schema.js';
import { DomainError, validationFailed } from '../../errors/catalogue.js';
import type { Viewer } from '../../repositories/access.repository.js';
import type { AlertRule } from '../../services/alert-rule-engine.js';
import type { DeviceAuth, DeviceIdentity } from '../../services/devices.service.js';
import type { RealtimePublisher } from '../../services/realtime-port.js';
import { isCalendarDate } from '../../services/calendar-date.js';
import {
  babyObservation,
  cryFromAudio,
  decideCry,
  isSick,
  parseDeviceVerdict,
  parseUploadValues,
  type BabyValues,
  type CryEvidence,
} from './baby-monitor.assessor.js';
import type {
  BabyReadingRow,
  BabyReadingScope,
  BabyReadingsRepository,
} from './baby-monitor.repository.js';

/** Seed 002's illness cut-off, °C, when the patient's infant_sick rule has no threshold. */
const DEFAULT_SICK_THRESHOLD_C = 38;
/** Audio is decoded straight to the cry model's rate. */
const AUDIO_RATE_HZ = 8000;
const NOTES_MAX_CHARS = 2000;
/**
 * How far back a redelivered (DUP) MQTT message is looked for among the device's stored
 * messages. A broker redelivers an unacknowledged message when the session's connection comes
 * back (Vigil restarting: seconds to minutes); a monitor repeats identical bytes legitimately,
 * so the window is kept short rather than matching any earlier reading.
 */
export const MQTT_REDELIVERY_WINDOW_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
const INTERVAL_MS: Record<BabyTimeseriesInterval, number> = {
  '1 hour': 3_600_000,
  '6 hours': 6 * 3_600_000,
  '1 day': DAY_MS,
  '1 week': 7 * DAY_MS,
};
/** Buckets start at multiples of the interval from Monday 2000-01-03 00:00 UTC (TimescaleDB's origin). */
const BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

const HOUR_MS = 3_600_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const pad2 = (n: number) => String(n).padStart(2, '0');
/** Python's `strftime('%m/%d %H:%M')` of a UTC instant (seed 002's line-chart labels). */
const monthDayTime = (ms: number) => {
  const d = new Date(ms);
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
};
/** Python's `strftime('%a %d')` of a UTC instant (seed 002's bar-chart labels). */
const weekdayDay = (ms: number) => {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()] ?? ''} ${pad2(d.getUTCDate())}`;
};

/**
 * `x` to one decimal as Python's `round(x, 1)` gives it (seed 002 rounds its charts so): the
 * nearest to the exact binary value, and an exact tie to the even digit (6.25 → 6.2, where
 * `Math.round` gives 6.3).
 */
function round1(x: number): number {
  const exact = Math.abs(x).toFixed(100); // the double's exact decimal expansion
  const dot = exact.indexOf('.');
  if (exact[dot + 2] === '5' && /^0*$/.test(exact.slice(dot + 3))) {
    const tenths = Math.trunc(Math.abs(x) * 10); // exact: the tie is k.d5 with k.d exact enough
    const even = tenths % 2 === 0 ? tenths : tenths + 1;
    return (Math.sign(x) * even) / 10;
  }
  return Number(x.toFixed(1));
}

export interface BabyMonitorServiceDeps {
  readings: BabyReadingsRepository;
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;
  visiblePatientIds(viewer: Viewer): Promise<string[] | undefined>;
  resolveUploader(auth: DeviceAuth, deviceId: string): Promise<DeviceIdentity>;
  effectiveRules(patientId: string): Promise<AlertRule[]>;
  alerts: {
    observe(
      patientId: string,
      deviceId: string | null,
      o: ReturnType<typeof babyObservation>,
    ): Promise<void>;
  };
  realtime: RealtimePublisher;
  /**
   * A monitor was heard: its last-seen time (the dashboard's "last seen", the device-offline
   * sweep after a restart) and the offline rule's live state, as ingest does for streaming devices.
   */
  deviceHeard(
    device: { id: string; deviceId: string; patientId: string },
    atMs: number,
  ): Promise<void>;
  clock: Clock;
  newId: () => string;
}

/** Who sends a reading: a signed-in user acting for a patient, or a monitor's key. */
export type BabyUploader = { kind: 'user'; user: Viewer } | { kind: 'device'; auth: DeviceAuth };

/** An upload's fields as they arrive (JSON values or multipart strings). */
export interface BabyUploadFields {
  patient_id?: unknown;
  device_id?: unknown;
  temperature?: unknown;
  humidity?: unknown;
  notes?: unknown;
  /** A monitor's own verdict, as the seed-002 ESP32 names it (kept beside the server's). */
  FinalResult?: unknown;
  /** The monitor's cry confidence, %. */
  InfantCry?: unknown;
}

export interface BabyAudioUpload {
  bytes: Buffer;
  contentType: string;
}

const AUDIO_ERRORS = {
  UNDECODABLE_AUDIO: 'UNDECODABLE_AUDIO',
  AUDIO_TOO_LARGE: 'AUDIO_TOO_LARGE',
  AUDIO_TOO_LONG: 'AUDIO_TOO_LONG',
  DECODER_UNAVAILABLE: 'AUDIO_DECODER_UNAVAILABLE',
} as const;

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw validationFailed(field, `${field} must be a string`);
  // PostgreSQL text cannot hold U+0000 (a 500 on PostgreSQL, stored on SQLite).
  if (value.includes('\u0000'))
    throw validationFailed(field, `${field} must not contain the NUL character (U+0000)`);
  if (value.length > max)
    throw validationFailed(field, `${field} is longer than ${max} characters`);
  return value;
}

/** Pydantic's cut between Unix seconds and milliseconds: a larger magnitude is milliseconds. */
const UNIX_SECONDS_MAX = 2e10;

function parseDate(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  // Seed 002's filters were pydantic datetimes, which take Unix time as a number (seconds, or
  // milliseconds beyond 2e10) and a date alone (its midnight; offset-less, so UTC here).
  if (/^-?\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    const ms = Math.round(Math.abs(n) > UNIX_SECONDS_MAX ? n : n * 1000);
    if (!Number.isFinite(new Date(ms).getTime()))
      throw validationFailed(field, `${field}: ${value} is out of the date range`);
    return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return parseDate(`${value}T00:00:00Z`, field);
  // Seed 002's date-times may have a space for `T` and no offset: that is UTC (its backend's
  // utcnow()), not the server's local time, which Date.parse would take. A space before an
  // hh:mm offset is a '+' that came unencoded in the query string (form decoding turns '+'
  // into a space: `start_date=…T10:00:00+05:30` typed into curl); nothing else can stand there.
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ]([\d:.]+)([Zz]|[+-]\d{2}(?::?\d{2})?| \d{2}:?\d{2})?$/.exec(
    value,
  );
  const offset = (m?.[3] ?? 'Z')
    .replace(/^ /, '+')
    .replace(/^([+-]\d{2}):?(\d{2})?$/, (_, h: string, mm?: string) => `${h}:${mm ?? '00'}`);
  const ms = Date.parse(m === null ? value : `${m[1] ?? ''}T${m[2] ?? ''}${offset}`);
  if (!Number.isFinite(ms)) throw validationFailed(field, `${field} must be an ISO date-time`);
  const [y, mo, d] = (m?.[1] ?? '').split('-').map(Number);
  if (m !== null && !isCalendarDate(y ?? NaN, mo ?? NaN, d ?? NaN))
    throw validationFailed(field, `${field}: ${m[1] ?? ''} is not a calendar date`);
  return ms;
}

/** A duration for a message: three decimals, no trailing zeros (0.02, not 0.020000000000000004). */
function roundSeconds(s: number): number {
  return Math.round(s * 1000) / 1000;
}

/** The end of a window is the field at fault when it comes before the start: it names the rule. */
function endBeforeStart() {
  return validationFailed('end_date', 'end_date must not be before start_date');
}

/** The history filters; a window ending before it starts is a mistake, not an empty answer. */
function dateWindow(q: { start_date?: string; end_date?: string }): {
  fromMs: number | undefined;
  toMs: number | undefined;
} {
  const fromMs = parseDate(q.start_date, 'start_date');
  const toMs = parseDate(q.end_date, 'end_date');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs) throw endBeforeStart();
  return { fromMs, toMs };
}

/** Whose keys an Idempotency-Key lives among: the monitor's, or the signed-in user's. */
function uploaderScope(by: BabyUploader, target: { deviceId: string | null }): string {
  return by.kind === 'user' ? `user:${by.user.id}` : `device:${target.deviceId ?? ''}`;
}

export function toBabyReading(row: BabyReadingRow): BabyReading {
  return {
    id: row.id,
    patient_id: row.patient_id,
    user_id: row.patient_id,
    device_id: row.device_id,
    temperature: row.temperature_c,
    humidity: row.humidity_percent,
    audio_url: row.has_audio === 1 ? `/api/v1/readings/${row.id}/audio` : null,
    cry_detected: row.cry_detected === 1,
    cry_probability: row.cry_probability,
    cry_source: row.cry_source,
    device_cry_detected: row.device_cry_detected === null ? null : row.device_cry_detected === 1,
    device_cry_probability: row.device_cry_probability,
    audio_cry_probability: row.audio_cry_probability,
    sick_detected: row.sick_detected === 1,
    created_at: new Date(row.ts).toISOString(),
    notes: row.notes,
  };
}

/**
 * Baby monitor readings (seed 002): uploads with an optional clip whose cry probability
 * the server computes (`@vigil/signal` detectCry at 8 kHz), monitor messages with the device's own
 * verdict, the seed's sick rule, alerts through the alert lifecycle, the CRY_DETECTED push, and
 * the history, stats and time series, each scoped to the patients the viewer may see.
 */
export class BabyMonitorService {
  constructor(private readonly deps: BabyMonitorServiceDeps) {}

  /**
   * An HTTP upload (JSON or multipart). Nothing is stored when any check fails. With an
   * `idempotencyKey`, a retry of an upload already stored under that key by the same uploader is
   * answered with the stored reading: no second row, alert or push.
   */
  async upload(
    by: BabyUploader,
    fields: BabyUploadFields,
    audio: BabyAudioUpload | undefined,
    idempotencyKey?: string,
  ): Promise<BabyReading> {
    const target = await this.resolveTarget(by, fields);
    const uploadKey =
      idempotencyKey === undefined ? null : `${uploaderScope(by, target)}:${idempotencyKey}`;
    const values = parseUploadValues(fields);
    const notes = optionalString(fields.notes, 'notes', NOTES_MAX_CHARS);
    const device = parseDeviceVerdict(fields.FinalResult, fields.InfantCry);
    if (uploadKey !== null) {
      const stored = await this.deps.readings.findByUploadKey(uploadKey);
      if (stored !== undefined) {
        await this.assertSameUpload(stored, { values, notes, device, audio });
        return toBabyReading(stored);
      }
    }
    const fromAudio =
      audio === undefined ? null : cryFromAudio(await this.cryProbability(audio.bytes));
    return this.record({
      ...target,
      values,
      cry: decideCry(fromAudio, device),
      device,
      audioProbability: fromAudio?.probability ?? null,
      notes,
      atMs: this.deps.clock.now(),
      audio,
      uploadKey,
    });
  }

  /**
   * A monitor's own reading (MQTT): values and cry verdict already parsed from its message.
   * `message` identifies the MQTT message (its payload's SHA-256, and whether the broker flagged
   * it DUP, a redelivery): a DUP message whose bytes equal a message of this device received in
   * the last MQTT_REDELIVERY_WINDOW_MS is that message, stored before its acknowledgement was
   * lost, and is answered with the stored reading (no second row, push or alert). Without the DUP
   * flag the same bytes are a new reading (a sensor repeating its values).
   */
  async fromDevice(
    auth: DeviceAuth,
    deviceId: string,
    reading: BabyValues & { cry: CryEvidence; atMs: number; notes: string | null },
    message?: { payloadSha256: string; dup: boolean },
  ): Promise<BabyReading> {
    const target = await this.resolveTarget({ kind: 'device', auth }, { device_id: deviceId });
    const receivedAt = this.deps.clock.now();
    if (message?.dup === true && target.deviceId !== null) {
      const stored = await this.deps.readings.findMqttMessage(
        target.deviceId,
        message.payloadSha256,
        receivedAt - MQTT_REDELIVERY_WINDOW_MS,
      );
      if (stored !== undefined) return toBabyReading(stored);
    }
    return this.record({
      ...target,
      values: { temperatureC: reading.temperatureC, humidityPercent: reading.humidityPercent },
      cry: reading.cry,
      device: reading.cry.source === 'device' ? reading.cry : null,
      audioProbability: null,
      notes: optionalString(reading.notes, 'notes', NOTES_MAX_CHARS),
      atMs: reading.atMs,
      audio: undefined,
      uploadKey: null,
      mqtt: message === undefined ? null : { payloadSha256: message.payloadSha256, receivedAt },
    });
  }

  /**
   * Seed 002's router check (`GET /health/test/endpoint`): the answer its clients expect, given
   * only once the cry model the uploads are scored with loads (a broken model throws, a 500).
   */
  routerCheck(): Seed002RouterCheck {
    loadCryModel();
    return { message: 'Health router is working!', cry_detection: 'AI model ready' };
  }

  async list(viewer: Viewer, q: BabyReadingsQuery): Promise<BabyReading[]> {
    const scope = await this.scope(viewer, q.patient_id);
    const rows = await this.deps.readings.list(
      {
        ...scope,
        ...dateWindow(q),
        cryDetected: q.cry_detected,
        sickDetected: q.sick_detected,
      },
      q.limit,
      q.offset,
    );
    return rows.map(toBabyReading);
  }

  /**
   * Each visible baby's newest reading, however old: what the dashboard's patient list shows.
   * Reading the newest N readings of everyone instead missed a baby whose monitor went quiet
   * while others kept sending (1,000 readings at one monitor every 5 s is 83 minutes).
   */
  async latest(viewer: Viewer, q: BabyLatestQuery): Promise<BabyLatest> {
    const rows = await this.deps.readings.latestPerPatient(viewer, q.limit);
    return rows.map(toBabyReading);
  }

  async stats(viewer: Viewer, q: BabyStatsQuery): Promise<BabyStats> {
    const scope = await this.scope(viewer, q.patient_id);
    const s = await this.deps.readings.stats(scope);
    const [latest] = await this.deps.readings.list(scope, 1, 0);
    const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return {
      total_records: s.total,
      cry_detected_count: s.cries,
      sick_detected_count: s.sick,
      avg_temperature: round(s.avgTemperature),
      avg_humidity: round(s.avgHumidity),
      latest_record: latest === undefined ? null : toBabyReading(latest),
    };
  }

  async timeseries(viewer: Viewer, q: BabyTimeseriesQuery): Promise<BabyTimeseries> {
    const scope = await this.scope(viewer, q.patient_id);
    const toMs = parseDate(q.end_date, 'end_date') ?? this.deps.clock.now();
    const fromMs = parseDate(q.start_date, 'start_date') ?? toMs - 7 * DAY_MS;
    if (fromMs > toMs) throw endBeforeStart();
    const step = INTERVAL_MS[q.interval];
    const rows = await this.deps.readings.series({ ...scope, fromMs, toMs });
    const buckets = new Map<
      number,
      { t: number[]; h: number[]; count: number; cries: number; sick: number }
    >();
    for (const r of rows) {
      const start = BUCKET_ORIGIN_MS + Math.floor((r.ts - BUCKET_ORIGIN_MS) / step) * step;
      let b = buckets.get(start);
      if (b === undefined) {
        b = { t: [], h: [], count: 0, cries: 0, sick: 0 };
        buckets.set(start, b);
      }
      b.count++;
      b.cries += r.cry_detected;
      b.sick += r.sick_detected;
      if (r.temperature_c !== null) b.t.push(r.temperature_c);
      if (r.humidity_percent !== null) b.h.push(r.humidity_percent);
    }
    const mean = (xs: number[]) =>
      xs.length === 0 ? null : Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 100) / 100;
    return {
      data: [...buckets.entries()]
        .sort((a, b) => b[0] - a[0])
        .map(([start, b]) => ({
          time: new Date(start).toISOString(),
          avg_temperature: mean(b.t),
          avg_humidity: mean(b.h),
          record_count: b.count,
          cry_count: b.cries,
          sick_count: b.sick,
        })),
    };
  }

  /**
   * Seed 002's line chart (`GET /health/charts/temperature-humidity`): mean temperature and
   * humidity per bucket of the last `days` × 24 h up to now, oldest first, 1 decimal.
   */
  async temperatureHumidityChart(
    viewer: Viewer,
    q: Seed002TemperatureChartQuery,
  ): Promise<Seed002TemperatureChart> {
    const buckets = await this.recentBuckets(viewer, q);
    const r = (v: number | null) => (v === null ? null : round1(v));
    return {
      labels: buckets.map((b) => monthDayTime(b.startMs)),
      temperature: buckets.map((b) => r(b.avgTemperature)),
      humidity: buckets.map((b) => r(b.avgHumidity)),
    };
  }

  /**
   * Seed 002's bar chart (`GET /health/charts/cry-frequency`): readings with a cry and readings
   * judged sick per bucket of the last `days` × 24 h up to now, oldest first.
   */
  async cryFrequencyChart(viewer: Viewer, q: Seed002CryChartQuery): Promise<Seed002CryChart> {
    const buckets = await this.recentBuckets(viewer, q);
    return {
      labels: buckets.map((b) => weekdayDay(b.startMs)),
      cry_count: buckets.map((b) => b.cries),
      sick_count: buckets.map((b) => b.sick),
    };
  }

  /**
   * Seed 002's pie chart (`GET /health/charts/health-distribution`): the readings since `days`
   * × 24 h ago as normal, crying (not sick), fever (no cry at or above the infant_sick threshold:
   * seed 002 judged every reading at ≥ 38 °C sick, Vigil only a crying one) and critical (sick).
   * The patient's threshold for one patient; 38 °C over several.
   */
  async healthDistributionChart(
    viewer: Viewer,
    q: Seed002ChartDaysQuery,
  ): Promise<Seed002HealthDistribution> {
    const fromMs = this.deps.clock.now() - q.days * DAY_MS;
    const scope = await this.scope(viewer, q.patient_id);
    const [only] = scope.patientIds ?? [];
    const feverC =
      scope.patientIds?.length === 1 && only !== undefined
        ? await this.sickThresholdC(only)
        : DEFAULT_SICK_THRESHOLD_C;
    const s = await this.deps.readings.healthSlices({ ...scope, fromMs }, feverC);
    const values = [s.normal, s.crying, s.fever, s.critical];
    const total = values.reduce((a, v) => a + v, 0);
    return {
      labels: [...SEED002_HEALTH_DISTRIBUTION.labels],
      values,
      percentages: values.map((v) => (total === 0 ? 0 : round1((v / total) * 100))),
      colors: [...SEED002_HEALTH_DISTRIBUTION.colors],
    };
  }

  /**
   * Seed 002's heatmap (`GET /health/charts/hourly-heatmap`): readings with a cry since `days` ×
   * 24 h ago by weekday (Sunday first) and hour, UTC.
   */
  async hourlyHeatmapChart(
    viewer: Viewer,
    q: Seed002ChartDaysQuery,
  ): Promise<Seed002HourlyHeatmap> {
    const fromMs = this.deps.clock.now() - q.days * DAY_MS;
    const scope = await this.scope(viewer, q.patient_id);
    const hours = await this.deps.readings.buckets({ ...scope, fromMs }, HOUR_MS, BUCKET_ORIGIN_MS);
    const data = WEEKDAYS.map(() => Array.from({ length: 24 }, () => 0));
    for (const h of hours) {
      const d = new Date(h.startMs);
      const row = data[d.getUTCDay()];
      if (row !== undefined) row[d.getUTCHours()] = (row[d.getUTCHours()] ?? 0) + h.cries;
    }
    return { hours: Array.from({ length: 24 }, (_, i) => i), days: [...WEEKDAYS], data };
  }

  async get(viewer: Viewer, id: string): Promise<BabyReading> {
    const row = await this.deps.readings.findById(id);
    if (row === undefined || !(await this.visible(viewer, row.patient_id)))
      throw new DomainError('READING_NOT_FOUND', { field: 'id' });
    return toBabyReading(row);
  }

  /** The stored clip with its original content type; 404 to anyone who may not see the reading. */
  async audio(viewer: Viewer, id: string): Promise<{ bytes: Buffer; contentType: string }> {
    const row = await this.deps.readings.audio(id);
    if (row === undefined || !(await this.visible(viewer, row.patient_id)))
      throw new DomainError('READING_NOT_FOUND', { field: 'id' });
    if (row.audio === null)
      throw new DomainError('READING_NOT_FOUND', { message: 'This reading has no audio' });
    return {
      bytes: Buffer.from(row.audio),
      contentType: row.audio_content_type ?? 'application/octet-stream',
    };
  }

  /** The patient's infant_sick threshold, °C (seed 002's 38 °C when the rule has none). */
  private async sickThresholdC(patientId: string): Promise<number> {
    const rules = await this.deps.effectiveRules(patientId);
    return rules.find((x) => x.kind === 'infant_sick')?.threshold ?? DEFAULT_SICK_THRESHOLD_C;
  }

  private async visible(viewer: Viewer, patientId: string | null): Promise<boolean> {
    if (viewer.role === 'admin') return true;
    return patientId !== null && (await this.deps.canSeePatient(viewer, patientId));
  }

  /** The line and bar charts' buckets: the last `days` × 24 h up to now, of `interval`. */
  private async recentBuckets(
    viewer: Viewer,
    q: { patient_id?: string | undefined; days: number; interval: keyof typeof INTERVAL_MS },
  ) {
    const toMs = this.deps.clock.now();
    const scope = await this.scope(viewer, q.patient_id);
    return this.deps.readings.buckets(
      { ...scope, fromMs: toMs - q.days * DAY_MS, toMs },
      INTERVAL_MS[q.interval],
      BUCKET_ORIGIN_MS,
    );
  }

  private async scope(viewer: Viewer, patientId: string | undefined): Promise<BabyReadingScope> {
    if (patientId !== undefined) {
      if (!(await this.deps.canSeePatient(viewer, patientId)))
        throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
      return { patientIds: [patientId] };
    }
    return { patientIds: await this.deps.visiblePatientIds(viewer) };
  }

  private async resolveTarget(
    by: BabyUploader,
    fields: BabyUploadFields,
  ): Promise<{
    patientId: string;
    deviceId: string | null;
    /** The monitor's row id when a monitor sent it (for its last-seen time). */
    deviceRowId: string | null;
    uploadedBy: string | null;
  }> {
    if (by.kind === 'user') {
      const requested = optionalString(fields.patient_id, 'patient_id', 200);
      const patientId = requested ?? (by.user.role === 'patient' ? by.user.id : null);
      if (patientId === null) throw validationFailed('patient_id', 'patient_id is required');
      if (!(await this.deps.canSeePatient(by.user, patientId)))
        throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
      return { patientId, deviceId: null, deviceRowId: null, uploadedBy: by.user.id };
    }
    const named = optionalString(fields.device_id, 'device_id', 200);
    const deviceId = named ?? (by.auth.kind === 'device' ? by.auth.device.device_id : null);
    if (deviceId === null) throw validationFailed('device_id', 'device_id is required');
    const device = await this.deps.resolveUploader(by.auth, deviceId);
    if (device.patient_id === null)
      throw validationFailed('device_id', 'The monitor is not assigned to a patient');
    return {
      patientId: device.patient_id,
      deviceId: device.device_id,
      deviceRowId: device.id,
      uploadedBy: null,
    };
  }

  private async cryProbability(bytes: Buffer): Promise<number> {
    try {
      const decoded = await decodeAudio(bytes, {
        sampleRateHz: AUDIO_RATE_HZ,
        maxSeconds: BABY_AUDIO_LIMITS.maxSeconds,
        maxBytes: BABY_AUDIO_LIMITS.maxBytes,
      });
      // A clip that decodes but is shorter than one analysis frame is audio, just too little of
      // it: say so rather than "could not be decoded". No samples at all stays undecodable.
      const seconds = decoded.samples.length / decoded.sampleRateHz;
      if (decoded.samples.length > 0 && seconds < BABY_AUDIO_LIMITS.minSeconds)
        throw new DomainError('AUDIO_TOO_SHORT', {
          field: 'audio',
          message: `The audio is too short to analyse (${roundSeconds(seconds)} s; at least ${BABY_AUDIO_LIMITS.minSeconds} s)`,
        });
      return detectCry(decoded.samples, decoded.sampleRateHz).probability;
    } catch (error) {
      if (error instanceof AudioDecodeError)
        throw new DomainError(AUDIO_ERRORS[error.code], { field: 'audio', cause: error });
      // An empty or silent-to-nothing stream decodes to no samples: not a usable clip.
      if (error instanceof SignalInputError)
        throw new DomainError('UNDECODABLE_AUDIO', { field: 'audio', cause: error });
      throw error;
    }
  }

  /**
   * A retry must be the same upload: a key reused for different values, notes, verdict or clip is
   * refused (422) rather than answered with a reading the client did not send, as the IETF
   * Idempotency-Key draft (draft-ietf-httpapi-idempotency-key-header, section 2.7) specifies.
   */
  private async assertSameUpload(
    stored: BabyReadingRow,
    retry: {
      values: BabyValues;
      notes: string | null;
      device: CryEvidence | null;
      audio: BabyAudioUpload | undefined;
    },
  ): Promise<void> {
    // `real` is float4 on PostgreSQL: equal to well within the sensors' resolution.
    const near = (a: number | null, b: number | null) =>
      a === null || b === null ? a === b : Math.abs(a - b) < 1e-4;
    const sameDevice =
      retry.device === null
        ? stored.device_cry_detected === null
        : stored.device_cry_detected === (retry.device.detected ? 1 : 0) &&
          near(stored.device_cry_probability, retry.device.probability);
    let same =
      near(stored.temperature_c, retry.values.temperatureC) &&
      near(stored.humidity_percent, retry.values.humidityPercent) &&
      stored.notes === retry.notes &&
      sameDevice &&
      (stored.has_audio === 1) === (retry.audio !== undefined);
    if (same && retry.audio !== undefined) {
      const clip = await this.deps.readings.audio(stored.id);
      same = clip?.audio != null && Buffer.from(clip.audio).equals(retry.audio.bytes);
    }
    if (!same) throw new DomainError('IDEMPOTENCY_KEY_REUSED', { field: 'idempotency-key' });
  }

  private async record(r: {
    patientId: string;
    deviceId: string | null;
    deviceRowId: string | null;
    uploadedBy: string | null;
    values: BabyValues;
    /** What decided. */
    cry: CryEvidence;
    /** The monitor's own verdict, if it gave one (decided or not). */
    device: CryEvidence | null;
    /** The server's probability for the clip, if there was one. */
    audioProbability: number | null;
    notes: string | null;
    atMs: number;
    audio: BabyAudioUpload | undefined;
    uploadKey: string | null;
    /** The MQTT message it came in (its payload's hash, when received), else null. */
    mqtt?: { payloadSha256: string; receivedAt: number } | null;
  }): Promise<BabyReading> {
    const sick = isSick(r.values, r.cry, await this.sickThresholdC(r.patientId));
    const row: BabyReadingsTable = {
      id: this.deps.newId(),
      patient_id: r.patientId,
      device_id: r.deviceId,
      uploaded_by: r.uploadedBy,
      ts: r.atMs,
      temperature_c: r.values.temperatureC,
      humidity_percent: r.values.humidityPercent,
      notes: r.notes,
      cry_detected: r.cry.detected ? 1 : 0,
      cry_probability: r.cry.probability,
      cry_source: r.cry.source,
      sick_detected: sick ? 1 : 0,
      audio: r.audio?.bytes ?? null,
      audio_content_type: r.audio?.contentType ?? null,
      upload_key: r.uploadKey,
      device_cry_detected: r.device === null ? null : r.device.detected ? 1 : 0,
      device_cry_probability: r.device?.probability ?? null,
      audio_cry_probability: r.audioProbability,
      mqtt_payload_sha256: r.mqtt?.payloadSha256 ?? null,
      mqtt_received_at: r.mqtt?.receivedAt ?? null,
    };
    if (!(await this.deps.readings.insert(row))) {
      // A concurrent retry stored this key first: answer with its reading, side effects are its.
      const stored =
        r.uploadKey === null ? undefined : await this.deps.readings.findByUploadKey(r.uploadKey);
      if (stored === undefined) throw new Error('a reading was neither inserted nor found');
      await this.assertSameUpload(stored, r);
      return toBabyReading(stored);
    }
    const reading = toBabyReading({ ...row, has_audio: row.audio === null ? 0 : 1 });
    if (r.deviceRowId !== null && r.deviceId !== null)
      await this.deps.deviceHeard(
        { id: r.deviceRowId, deviceId: r.deviceId, patientId: r.patientId },
        this.deps.clock.now(),
      );
    if (r.cry.detected)
      this.deps.realtime.publish({
        type: 'cry_detected',
        patientId: r.patientId,
        deviceId: r.deviceId,
        data: {
          type: 'cry_detected',
          event: 'CRY_DETECTED',
          reading_id: row.id,
          patient_id: r.patientId,
          sick_detected: sick,
          timestamp: reading.created_at,
          data: { temperature: reading.temperature, humidity: reading.humidity },
        },
      });
    await this.deps.alerts.observe(
      r.patientId,
      r.deviceId,
      babyObservation(r.values, r.cry, r.atMs),
    );
    return reading;
  }
}
