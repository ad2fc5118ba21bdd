import {
  ECG12_CLASS_TABLE,
  ECG_LEAD_NAMES,
  type Alert,
  type Seed004Alert,
  type Seed004EcgRow,
  type ReportSummary,
  type Seed004CreateReportBody,
  type Seed004Prediction,
  type Seed004Report,
  type Seed004UpdateReportBody,
  type Seed004User,
  type Seed004Vitals,
} from '@vigil/protocol';
import { detectQrs, type Ecg12Result } from '@vigil/signal';
import { DomainError, notFound, validationFailed } from '../errors/catalogue.js';
import { decodeEcgCounts } from '../repositories/ecg-codec.js';
import type { EcgLeadChunkRow, EcgLeadsRepository } from '../repositories/ecg-leads.repository.js';
import type { RowOwner } from '../repositories/row-owner.js';
import { deviceRowOwner } from './device-row-owner.js';
import type { AlertsService } from './alerts.service.js';
import type { AuthService } from './auth.service.js';
import type { DevicesService, DeviceView } from './devices.service.js';
import type { Ecg12Service } from './ecg12.service.js';
import type { ReportsService } from './reports.service.js';
import type { AuthUser, UserView } from './user-view.js';
import type { UsersService } from './users.service.js';

export interface Seed004ServiceDeps {
  auth: Pick<AuthService, 'login'>;
  users: UsersService;
  devices: DevicesService;
  alerts: AlertsService;
  ecg12: Ecg12Service;
  ecgLeads: EcgLeadsRepository;
  /** The doctor of a patient (for the seed's `doctor_id` on alerts); null when none. */
  doctorOf(patientId: string): Promise<string | null>;
  reports: Pick<ReportsService, 'create' | 'get' | 'list' | 'listByDoctor' | 'update' | 'remove'>;
  clock: { now(): number };
}

const DAY_MS = 86_400_000;

/** A Vigil clinical report as the seed's report document (`back/models/report_model.py`). */
function seedReport(r: ReportSummary): Seed004Report {
  const pdf = `/api/v1/reports/${r.id}/pdf`;
  return {
    _id: r.id,
    id: r.id,
    doctor_id: r.author_id,
    patient_id: r.patient_id,
    date: new Date(r.created_at).toISOString(),
    timestamp: r.created_at,
    content: r.notes,
    diagnosis: r.title,
    files: [pdf],
    pdfUrl: pdf,
    status: r.status,
    period_start: r.period_start,
    period_end: r.period_end,
  };
}

type Role = 'admin' | 'doctor' | 'patient';

/** Most documents one seed list answers (the seed pages nothing). */
const LIST_LIMIT = 500;
/** The rate `/api/realtime/predict` rows are taken at without `fs` (PTB-XL, the seed's records). */
const DEFAULT_ROWS_FS_HZ = 500;

const round2 = (v: number) => Math.round(v * 100) / 100;

function seedUser(u: UserView): Seed004User {
  return {
    _id: u.id,
    id: u.id,
    name: u.name,
    email: u.email,
    type: u.role,
    role: u.role,
    doctor_id: u.doctor_id,
  };
}

function seedDevice(d: DeviceView): Seed004Device {
  return {
    _id: d.id,
    id: d.id,
    serial: d.device_id,
    name: d.name,
    patient_id: d.patient_id,
    status: d.last_seen_at === null ? 'inactive' : 'active',
    assigned_at: Date.parse(d.created_at),
    last_seen: d.last_seen_at === null ? null : Date.parse(d.last_seen_at),
  };
}
type Seed004Device = {
  _id: string;
  id: string;
  serial: string;
  name: string | null;
  patient_id: string | null;
  status: 'active' | 'inactive';
  assigned_at: number;
  last_seen: number | null;
};

function seedAlert(a: Alert, doctorId: string | null): Seed004Alert {
  return {
    _id: a.id,
    id: a.id,
    device_id: a.device_id,
    patient_id: a.patient_id,
    doctor_id: doctorId,
    type: a.rule_kind,
    message: a.message,
    severity: a.severity,
    timestamp: a.opened_at,
    seen_by_patient: a.seen_by_patient_at !== null,
    seen_by_doctor: a.acknowledged_at !== null,
    resolved: a.cleared_at !== null,
  };
}

const CLASS_NAMES: Record<string, string> = {
  NORM: 'Normal ECG',
  MI: 'Myocardial infarction',
  STTC: 'ST/T change',
  CD: 'Conduction disturbance',
  HYP: 'Hypertrophy',
};

/** A 12-lead interpretation in the seed's prediction shape (what `prediction.jsx` reads). */
export function seedPredictionOf(r: Ecg12Result): Seed004Prediction {
  const p = r.probabilities;
  const round4 = (v: number) => Math.round(v * 10_000) / 10_000;
  return {
    predicted_class: r.topClass,
    predicted_class_name: r.topClass,
    predicted_full_name: CLASS_NAMES[r.topClass] ?? r.topClass,
    confidence: round4(p[r.topClass]),
    probabilities: {
      NORM: round4(p.NORM),
      MI: round4(p.MI),
      STTC: round4(p.STTC),
      CD: round4(p.CD),
      HYP: round4(p.HYP),
    },
    criteria: r.findings.filter((f) => f.class === 'MI').map((f) => f.text),
    leads: 12,
  };
}

/** The answer for fewer than 12 leads: no class is guessed. */
function notAssessable(leads: number): Seed004Prediction {
  return {
    predicted_class: 'NOT_ASSESSABLE',
    predicted_class_name: 'NOT_ASSESSABLE',
    predicted_full_name: `MI not assessable from ${leads} lead${leads === 1 ? '' : 's'} (12 needed)`,
    confidence: null,
    probabilities: null,
    criteria: [],
    leads,
  };
}

/**
 * Heart rate, RR intervals and their SD over contiguous runs of a lead (`back/utils.py` of the
 * seed: HR = 60000 / mean RR, HRV = population SD of RR, both to 2 decimals). Beats come from
 * Vigil's QRS detector; an RR never spans a gap between two runs.
 */
export function rrVitals(runs: readonly { mv: Float64Array; fsHz: number }[]): Seed004Vitals {
  const rr: number[] = [];
  for (const run of runs) {
    if (run.mv.length < run.fsHz) continue;
    const peaks = detectQrs(run.mv, { fs: run.fsHz });
    for (let i = 1; i < peaks.length; i++)
      rr.push(Math.round((1000 * ((peaks[i] ?? 0) - (peaks[i - 1] ?? 0))) / run.fsHz));
  }
  const mean = rr.length === 0 ? null : rr.reduce((s, v) => s + v, 0) / rr.length;
  const sd =
    mean === null ? null : Math.sqrt(rr.reduce((s, v) => s + (v - mean) ** 2, 0) / rr.length);
  return {
    heartRate: mean === null || mean <= 0 ? null : round2(60_000 / mean),
    hrv: sd === null ? null : round2(sd),
    rrDistances: rr,
    rrIntervalAvg: mean === null ? null : round2(mean),
    respiratoryRate: null,
    skinTemp: null,
    pcg: null,
    pcgSignal: [],
    rhythmLead: null,
  };
}

/** A stored multi-lead chunk's leads, decoded to mV, by name. */
function decodeChunk(row: EcgLeadChunkRow): Map<string, Float64Array> {
  const names = row.leads;
  const scales = row.scales_mv;
  const n = row.n_samples;
  const counts = decodeEcgCounts(row.samples);
  const out = new Map<string, Float64Array>();
  names.forEach((name, l) => {
    const scale = scales[l] ?? 0.001;
    out.set(
      name,
      Float64Array.from(counts.subarray(l * n, (l + 1) * n), (c) => c * scale),
    );
  });
  return out;
}

/**
 * Seed 004's REST paths (the ECG MI predictor's React front end) over Vigil's services: users,
 * devices and alerts with Vigil's role rules; stored 12-lead ECGs as the seed's "records"; the
 * multi-lead device streams as its `sensors` batches; MI prediction from the 12-lead
 * interpretation. Shapes are the seed's, decisions are the services'.
 */
export class Seed004Service {
  constructor(private readonly deps: Seed004ServiceDeps) {}

  // Sign-in (back/auth/routes.py): Vigil's login, answered as `Login.jsx` and `App.jsx` store it.

  async login(
    email: string,
    password: string,
  ): Promise<{ token: string; role: Role; email: string; user_id: string }> {
    const t = await this.deps.auth.login(email, password);
    return { token: t.access_token, role: t.user.role, email: t.user.email, user_id: t.user.id };
  }

  // Users (back/routes/users.py)

  async createUser(
    actor: AuthUser,
    body: { name: string; email: string; password: string; type?: Role; role?: Role },
  ): Promise<{ inserted_id: string }> {
    const user = await this.deps.users.create(actor, {
      name: body.name,
      email: body.email,
      password: body.password,
      role: body.type ?? body.role,
    });
    return { inserted_id: user.id };
  }

  async listUsers(actor: AuthUser, role: Role): Promise<Seed004User[]> {
    const users = await this.deps.users.list(actor, role, { limit: LIST_LIMIT, offset: 0 });
    return users.map(seedUser);
  }

  async getUser(actor: AuthUser, id: string): Promise<Seed004User> {
    return seedUser(await this.deps.users.get(actor, id));
  }

  async updateUser(
    actor: AuthUser,
    id: string,
    body: { name?: string; email?: string; password?: string; type?: Role; role?: Role },
  ): Promise<{ modified_count: number }> {
    const before = await this.deps.users.get(actor, id);
    const after = await this.deps.users.update(actor, id, {
      name: body.name,
      email: body.email,
      password: body.password,
      role: body.type ?? body.role,
    });
    const changed =
      body.password !== undefined ||
      before.name !== after.name ||
      before.email !== after.email ||
      before.role !== after.role;
    return { modified_count: changed ? 1 : 0 };
  }

  async deleteUser(actor: AuthUser, id: string): Promise<{ deleted_count: number }> {
    await this.deps.users.delete(actor, id);
    return { deleted_count: 1 };
  }

  // Devices (back/routes/devices.py)

  async createDevice(
    actor: AuthUser,
    body: {
      serial?: string;
      device_id?: string;
      name?: string;
      type?: string;
      patient_id?: string | null;
    },
  ): Promise<{ inserted_id: string; api_key: string }> {
    const deviceId = body.serial ?? body.device_id;
    if (deviceId === undefined)
      throw validationFailed('serial', 'serial (or device_id) is required');
    const d = await this.deps.devices.register(actor, {
      device_id: deviceId,
      name: body.name ?? body.type,
      patient_id: body.patient_id,
    });
    return { inserted_id: d.id, api_key: d.api_key };
  }

  async getDevice(actor: AuthUser, id: string): Promise<Seed004Device> {
    return seedDevice(await this.inService(actor, id));
  }

  /**
   * A device the seed's clients still have: a retired device (the seed's DELETE) is gone for
   * them (404, as a deleted document was), though Vigil keeps it with its readings.
   */
  private async inService(actor: AuthUser, id: string): Promise<DeviceView> {
    const device = await this.deps.devices.get(actor, id);
    if (device.retired_at !== null) throw notFound('DEVICE_NOT_FOUND');
    return device;
  }

  async devicesOfPatient(actor: AuthUser, patientId: string): Promise<Seed004Device[]> {
    const all = await this.deps.devices.list(actor, { limit: LIST_LIMIT, offset: 0 });
    return all.filter((d) => d.patient_id === patientId).map(seedDevice);
  }

  async updateDevice(
    actor: AuthUser,
    id: string,
    body: { name?: string | null; patient_id?: string | null },
  ): Promise<{ modified_count: number }> {
    const before = await this.inService(actor, id);
    const after = await this.deps.devices.update(actor, id, body);
    return {
      modified_count: before.name !== after.name || before.patient_id !== after.patient_id ? 1 : 0,
    };
  }

  /**
   * The seed deleted the document; Vigil retires the device (DevicesService.retire), keeping its
   * readings. Gone for the seed's clients, so a second DELETE answers 404 as before.
   */
  async deleteDevice(actor: AuthUser, id: string): Promise<{ deleted_count: number }> {
    if (!(await this.deps.devices.retire(actor, id))) throw notFound('DEVICE_NOT_FOUND');
    return { deleted_count: 1 };
  }

  // Alerts (back/routes/alerts.py)

  async createAlert(
    actor: AuthUser,
    body: {
      patient_id: string;
      message: string;
      severity?: 'info' | 'warning' | 'critical';
      device_id?: string | null;
    },
  ): Promise<{ inserted_id: string }> {
    const a = await this.deps.alerts.createManual(actor, body);
    return { inserted_id: a.id };
  }

  async getAlert(actor: AuthUser, id: string): Promise<Seed004Alert> {
    const a = await this.deps.alerts.get(actor, id);
    return seedAlert(a, await this.deps.doctorOf(a.patient_id));
  }

  /**
   * The seed's list answers `[]` for a patient the caller may not see (its clients rely on a list;
   * tested in seed004-documents.test.ts); /api/v1/alerts?patient_id= answers 404 instead.
   */
  async alertsOfPatient(actor: AuthUser, patientId: string): Promise<Seed004Alert[]> {
    let page: Awaited<ReturnType<AlertsService['list']>>;
    try {
      page = await this.deps.alerts.list(actor, { patient_id: patientId, limit: LIST_LIMIT });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'PATIENT_NOT_FOUND') return [];
      throw error;
    }
    const doctorId = await this.deps.doctorOf(patientId);
    return page.items.map((a) => seedAlert(a, doctorId));
  }

  async alertsOfDoctor(actor: AuthUser, doctorId: string): Promise<Seed004Alert[]> {
    const page = await this.deps.alerts.list(actor, { doctor_id: doctorId, limit: LIST_LIMIT });
    return page.items.map((a) => seedAlert(a, doctorId));
  }

  /**
   * The seed's PUT sets fields: `message`/`severity` edit a doctor's manual alert,
   * `seen_by_doctor: true` acknowledges any alert, `resolved: true` resolves it,
   * `seen_by_patient: true` records that the patient has seen it.
   */
  async updateAlert(
    actor: AuthUser,
    id: string,
    body: {
      message?: string;
      severity?: 'info' | 'warning' | 'critical';
      seen_by_doctor?: true;
      seen_by_patient?: true;
      resolved?: true;
    },
  ): Promise<{ modified_count: number }> {
    const before = await this.deps.alerts.get(actor, id);
    let changed = false;
    if (body.message !== undefined || body.severity !== undefined)
      changed = await this.deps.alerts.editManual(actor, id, body);
    if (body.seen_by_doctor === true && before.acknowledged_at === null) {
      await this.deps.alerts.acknowledge(actor, id);
      changed = true;
    }
    if (body.seen_by_patient === true && before.seen_by_patient_at === null) {
      await this.deps.alerts.markSeenByPatient(actor, id);
      changed = true;
    }
    if (body.resolved === true && before.cleared_at === null) {
      await this.deps.alerts.resolve(actor, id);
      changed = true;
    }
    return { modified_count: changed ? 1 : 0 };
  }

  async deleteAlert(actor: AuthUser, id: string): Promise<{ deleted_count: number }> {
    await this.deps.alerts.deleteManual(actor, id);
    return { deleted_count: 1 };
  }

  // Stored 12-lead ECGs as the seed's records (back/app.py /api/records, /api/ecg, /api/vitals,
  // /api/predict): Vigil's 12-lead classifications of patients, whose leads it keeps.

  async records(
    actor: AuthUser,
    q: { class?: string | undefined; meta?: boolean | undefined },
  ): Promise<
    { id: string; class: string; path: string; fs?: number; samples?: number; leads?: number }[]
  > {
    const page = await this.deps.ecg12.history(actor, { limit: 1000, offset: 0 });
    // Seed 003's one-letter class names (N, M, …) back to the superclasses the seed shows.
    const superclass = (name: string | null) =>
      ECG12_CLASS_TABLE.find((c) => c.class_name === name)?.superclass;
    return page.records
      .filter((r) => r.success && r.patient_id !== null && superclass(r.predicted_class_name))
      .filter((r) => q.class === undefined || superclass(r.predicted_class_name) === q.class)
      .map((r) => ({
        id: r.id,
        class: superclass(r.predicted_class_name) ?? '',
        path: r.id,
        ...(q.meta === true
          ? { fs: r.sampling_rate_hz ?? 500, samples: r.n_samples ?? 0, leads: 12 }
          : {}),
      }));
  }

  private async storedLeads(actor: AuthUser, file: string, field: string) {
    const stored = await this.deps.ecg12.get(actor, file).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'ECG12_RESULT_NOT_FOUND')
        throw new DomainError('ECG12_RESULT_NOT_FOUND', { field });
      throw error;
    });
    if (stored.signal === null) throw new DomainError('ECG12_RESULT_NOT_FOUND', { field });
    return { stored, signal: stored.signal };
  }

  async ecgOf(actor: AuthUser, file: string): Promise<Seed004EcgRow[]> {
    const { signal } = await this.storedLeads(actor, file, 'file');
    const leads = signal.samples_mv;
    const n = leads[0]?.length ?? 0;
    return Array.from({ length: n }, (_, i) => {
      const at = (l: number) => leads[l]?.[i] ?? 0;
      return {
        time: i,
        lead1: at(0),
        lead2: at(1),
        lead3: at(2),
        lead4: at(3),
        lead5: at(4),
        lead6: at(5),
        lead7: at(6),
        lead8: at(7),
        lead9: at(8),
        lead10: at(9),
        lead11: at(10),
        lead12: at(11),
      };
    });
  }

  async vitalsOf(actor: AuthUser, file: string): Promise<Seed004Vitals> {
    const { signal } = await this.storedLeads(actor, file, 'patient');
    // Lead II: the rhythm lead of a resting ECG (the seed used its first lead).
    const ii = signal.samples_mv[1] ?? signal.samples_mv[0] ?? [];
    return {
      ...rrVitals([{ mv: Float64Array.from(ii), fsHz: signal.sampling_rate_hz }]),
      rhythmLead: 'II',
    };
  }

  /** The stored interpretation of a record, in the seed's prediction shape. */
  async predictFile(actor: AuthUser, file: string): Promise<Seed004Prediction> {
    const { signal } = await this.storedLeads(actor, file, 'file');
    const leads = signal.samples_mv.map((l) => Float64Array.from(l));
    return seedPredictionOf(this.deps.ecg12.interpretLeads(leads, signal.sampling_rate_hz, 'file'));
  }

  /** `{ecg}` as rows of leads (12 needed for a class) or one lead (never enough). */
  realtimePredict(body: { ecg: number[] | number[][]; fs?: number | undefined }): {
    success: boolean;
    prediction: Seed004Prediction;
  } {
    const first = body.ecg[0];
    if (!Array.isArray(first)) return { success: true, prediction: notAssessable(1) };
    const rows = body.ecg as number[][];
    const width = first.length;
    rows.forEach((row, i) => {
      if (row.length !== width)
        throw validationFailed(
          `ecg[${i}]`,
          `ecg[${i}] has ${row.length} leads where ecg[0] has ${width}`,
        );
    });
    if (width < 12) return { success: true, prediction: notAssessable(width) };
    const leads = Array.from({ length: 12 }, (_, l) => Float64Array.from(rows, (r) => r[l] ?? 0));
    const result = this.deps.ecg12.interpretLeads(leads, body.fs ?? DEFAULT_ROWS_FS_HZ, 'ecg');
    return { success: true, prediction: seedPredictionOf(result) };
  }

  // Multi-lead device streams as the seed's `sensors` batches (back/routes/mongo_stream.py)

  private async streamDevice(
    actor: AuthUser,
    q: { device_id?: string | undefined; patient_id?: string | undefined },
  ): Promise<{ deviceId: string; owner: RowOwner }> {
    // The stream's chunks keep the patient they were taken for: a device handed on shows
    // anyone but an admin only its current patient's (deviceRowOwner), as the vitals reads do.
    if (q.device_id !== undefined) {
      const device = await this.deps.ecgLeads.visibleDevice(actor, q.device_id);
      if (device === undefined)
        throw new DomainError('ECG_STREAM_NOT_FOUND', { field: 'device_id' });
      return { deviceId: q.device_id, owner: deviceRowOwner(actor, device) };
    }
    const device = await this.deps.ecgLeads.newestVisibleDevice(actor, q.patient_id);
    if (device === undefined)
      throw new DomainError(
        'ECG_STREAM_NOT_FOUND',
        q.patient_id === undefined ? {} : { field: 'patient_id' },
      );
    return { deviceId: device.device_id, owner: deviceRowOwner(actor, device) };
  }

  async stream(
    actor: AuthUser,
    q: { start: number; count: number; device_id?: string; patient_id?: string },
    onDevice?: (deviceId: string) => void,
  ) {
    const { deviceId, owner } = await this.streamDevice(actor, q);
    onDevice?.(deviceId);
    const rows = await this.deps.ecgLeads.page(deviceId, q.start, q.count, owner);
    return rows.map((row) => {
      const leads = decodeChunk(row);
      const cols = ECG_LEAD_NAMES.map((name) => leads.get(name));
      const round3 = (v: number) => Math.round(v * 1000) / 1000;
      return {
        ecg: Array.from({ length: row.n_samples }, (_, i) =>
          cols.map((c) => (c === undefined ? 0 : round3(c[i] ?? 0))),
        ),
        timestamp: row.ts,
        fs: row.sample_rate_hz,
        leads: [...leads.keys()],
        device_id: row.device_id,
      };
    });
  }

  /**
   * Heart rate and RR intervals over `window` stored packets from the `start`-th, on each
   * packet's rhythm lead; packets that follow each other without a gap form one run.
   * `onDevice` is told the device read (as in `stream`: the audit trail names its patient).
   */
  async streamVitals(
    actor: AuthUser,
    q: { window: number; start: number; device_id?: string; patient_id?: string },
    onDevice?: (deviceId: string) => void,
  ): Promise<Seed004Vitals> {
    const { deviceId, owner } = await this.streamDevice(actor, q);
    onDevice?.(deviceId);
    const rows = await this.deps.ecgLeads.page(deviceId, q.start, q.window, owner);
    const runs: { mv: Float64Array; fsHz: number; endMs: number; lead: string }[] = [];
    for (const row of rows) {
      const mv = decodeChunk(row).get(row.rhythm_lead) ?? new Float64Array(0);
      const last = runs[runs.length - 1];
      const durationMs = (row.n_samples * 1000) / row.sample_rate_hz;
      // Contiguous: same rate and lead, and this packet starts where the last ended (±1 sample).
      if (
        last !== undefined &&
        last.fsHz === row.sample_rate_hz &&
        last.lead === row.rhythm_lead &&
        Math.abs(row.ts - last.endMs) <= 1000 / row.sample_rate_hz + 1
      ) {
        const joined = new Float64Array(last.mv.length + mv.length);
        joined.set(last.mv);
        joined.set(mv, last.mv.length);
        last.mv = joined;
        last.endMs = row.ts + durationMs;
      } else
        runs.push({
          mv,
          fsHz: row.sample_rate_hz,
          endMs: row.ts + durationMs,
          lead: row.rhythm_lead,
        });
    }
    return { ...rrVitals(runs), rhythmLead: runs[0]?.lead ?? null };
  }

  // Reports (back/routes/reports.py): Vigil's clinical reports, built from stored data.

  async createReport(
    actor: AuthUser,
    body: Seed004CreateReportBody,
  ): Promise<{ inserted_id: string }> {
    const end =
      body.period_end ?? (body.date === undefined ? this.deps.clock.now() : Date.parse(body.date));
    if (!Number.isFinite(end)) throw validationFailed('date', 'date must be an ISO date-time');
    const start = body.period_start ?? end - DAY_MS;
    const report = await this.deps.reports.create(actor, body.patient_id, {
      period_start: start,
      period_end: end,
      ...(body.diagnosis === undefined ? {} : { title: body.diagnosis }),
      ...(body.content === undefined ? {} : { notes: body.content }),
    });
    return { inserted_id: report.id };
  }

  async getReport(actor: AuthUser, id: string): Promise<Seed004Report> {
    return seedReport(await this.deps.reports.get(actor, id));
  }

  async reportsOfPatient(actor: AuthUser, patientId: string): Promise<Seed004Report[]> {
    const page = await this.deps.reports.list(actor, { patient_id: patientId, limit: 200 });
    return page.items.map(seedReport);
  }

  async reportsOfDoctor(actor: AuthUser, doctorId: string): Promise<Seed004Report[]> {
    const page = await this.deps.reports.listByDoctor(actor, doctorId, { limit: 200 });
    return page.items.map(seedReport);
  }

  async updateReport(
    actor: AuthUser,
    id: string,
    body: Seed004UpdateReportBody,
  ): Promise<{ modified_count: number }> {
    await this.deps.reports.update(actor, id, {
      ...(body.diagnosis === undefined ? {} : { title: body.diagnosis }),
      ...(body.content === undefined ? {} : { notes: body.content }),
      ...(body.status === undefined ? {} : { status: body.status }),
    });
    return { modified_count: 1 };
  }

  async deleteReport(actor: AuthUser, id: string): Promise<{ deleted_count: number }> {
    await this.deps.reports.remove(actor, id);
    return { deleted_count: 1 };
  }
}
