import type { Clock } from '../adapters/clock.js';
import { isUniqueViolation } from '../db/errors.js';
import { DomainError, forbidden, notFound, validationFailed } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import type { AlertRow, AlertsRepository } from '../repositories/alerts.repository.js';
import {
  observation,
  evaluateRule,
  type AlertObservation,
  type AlertRule,
  type AlertRuleKind,
  type RuleState,
} from './alert-rule-engine.js';
import type { AlertRulesService } from './alert-rules.service.js';
import type { AlertSink } from '../ingest/signal-kind.js';
import { toAlertView } from './prediction-view.js';
import type { AlertAction, AlertView, RealtimePublisher } from './realtime-port.js';

export interface AlertsServiceDeps {
  alerts: AlertsRepository;
  rules: Pick<AlertRulesService, 'effectiveFor'>;
  /** Whether the viewer may see the patient (admin all, doctor own patients, patient self). */
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;
  realtime: RealtimePublisher;
  clock: Clock;
  newId: () => string;
  /** Every device assigned to a patient, with when it was last heard (persisted) and created. */
  devices: { listAssignedActivity(): Promise<DeviceActivity[]> };
}

/** A device's activity as the offline sweep reads it from the devices table. */
export interface DeviceActivity {
  device_id: string;
  patient_id: string;
  /** Epoch ms of the last packet (written at most every 30 s by ingest); null if never. */
  last_seen_at: number | null;
  created_at: number;
}

const OFFLINE: AlertRuleKind = 'device_silent';

/** The open-alert key: per (patient, rule), except device-offline alerts, which are per device. */
function alertKey(patientId: string, rule: string, deviceId: string | null): string {
  return rule === OFFLINE ? `device\u0000${deviceId ?? ''}` : key(patientId, rule);
}

/** An open alert is written at most this often while its condition persists (counts still add up). */
export const ALERT_UPDATE_INTERVAL_MS = 10_000;

export interface AlertListQuery {
  state?: 'active' | 'cleared' | 'acknowledged' | 'unacknowledged' | undefined;
  severity?: 'info' | 'warning' | 'critical' | undefined;
  patient_id?: string | undefined;
  /** Alerts of this doctor's patients: an admin any doctor's, a doctor only their own. */
  doctor_id?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** A doctor's own alert about a patient (seed 004's alert documents). */
export interface ManualAlertInput {
  patient_id: string;
  message: string;
  severity?: 'info' | 'warning' | 'critical' | undefined;
  device_id?: string | null | undefined;
}

const MANUAL = 'manual';

function encodeCursor(a: { opened_at: number; id: string }): string {
  return Buffer.from(`${a.opened_at}:${a.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { openedAt: number; id: string } {
  const [ts, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const openedAt = Number(ts);
  if (!Number.isSafeInteger(openedAt) || id === undefined || id === '')
    throw new DomainError('VALIDATION_FAILED', {
      field: 'cursor',
      message: 'cursor is not a cursor this API returned',
    });
  return { openedAt, id };
}

/**
 * Alert lifecycle (after ThingsBoard): one active alert per (patient, rule) is updated while its
 * condition persists and cleared when it stops; acknowledgement is separate. Evaluation state is
 * kept in memory per patient and rebuilt from the active alerts at start-up; work for one patient
 * is serialised so two packets never open two alerts for one rule.
 */
export class AlertsService implements AlertSink {
  private readonly open = new Map<string, AlertRow>();
  private readonly ruleStates = new Map<string, Map<AlertRuleKind, RuleState>>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly lastHeard = new Map<string, { patientId: string; atMs: number }>();
  /** Device-offline rule state per device (other rules keep theirs per patient). */
  private readonly offlineStates = new Map<string, RuleState>();
  private readonly pendingCounts = new Map<string, number>();

  constructor(private readonly deps: AlertsServiceDeps) {}

  /** Loads active alerts so a restart continues their lifecycle instead of duplicating them. */
  async start(): Promise<void> {
    for (const row of await this.deps.alerts.listActive()) {
      // Manual alerts are documents a doctor opens and closes: no rule state to rebuild.
      if (row.rule_kind === MANUAL) continue;
      this.open.set(alertKey(row.patient_id, row.rule_kind, row.device_id), row);
      this.setState(row.patient_id, row.rule_kind as AlertRuleKind, row.device_id, {
        since: row.onset_at ?? row.opened_at,
        open: true,
        onsetAt: row.onset_at,
      });
    }
  }

  heard(patientId: string, deviceId: string, atMs: number): void {
    this.lastHeard.set(deviceId, { patientId, atMs });
    // A device that speaks again clears its own offline alert at once (never another device's).
    if (this.open.has(alertKey(patientId, OFFLINE, deviceId))) {
      void this.enqueue(patientId, async () => {
        const rule = (await this.deps.rules.effectiveFor(patientId)).find(
          (r) => r.kind === OFFLINE,
        );
        if (rule === undefined) return;
        await this.apply(patientId, deviceId, rule, observation(atMs, { silentForMs: 0 }));
      }).catch(() => undefined);
    }
  }

  observe(
    patientId: string,
    deviceId: string | null,
    observation: AlertObservation,
  ): Promise<void> {
    return this.enqueue(patientId, async () => {
      const rules = await this.deps.rules.effectiveFor(patientId);
      // Offline alerts are the sweep's and heard()'s, per device: one device's packet says
      // nothing about the patient's other devices.
      for (const rule of rules)
        if (rule.kind !== OFFLINE) await this.apply(patientId, deviceId, rule, observation);
    });
  }

  /**
   * Device-offline rule: called periodically by the composition root's timer; opens an alert for
   * every assigned device not heard from for the rule's threshold (its patient's rule). The
   * last-heard time comes from the devices table, so a device that went silent before a restart,
   * or never sent since it was registered (counted from its registration), still alerts.
   */
  async sweepSilent(): Promise<void> {
    const now = this.deps.clock.now();
    for (const d of await this.deps.devices.listAssignedActivity()) {
      const heard = this.lastHeard.get(d.device_id);
      const lastAt = Math.max(
        d.last_seen_at ?? d.created_at,
        heard?.patientId === d.patient_id ? heard.atMs : -Infinity,
      );
      await this.enqueue(d.patient_id, async () => {
        const rules = await this.deps.rules.effectiveFor(d.patient_id);
        const rule = rules.find((r) => r.kind === OFFLINE);
        if (rule === undefined) return;
        await this.apply(d.patient_id, d.device_id, rule, {
          atMs: now,
          heartRateBpm: null,
          spo2Percent: null,
          temperatureC: null,
          riskLabel: null,
          analysable: null,
          afOngoing: null,
          vtRunBeats: null,
          longestPauseMs: null,
          silentForMs: Math.max(0, now - lastAt),
        });
      });
    }
  }

  async list(
    viewer: Viewer,
    q: AlertListQuery,
  ): Promise<{ items: AlertView[]; next_cursor: string | null }> {
    let patientIds: string[] | undefined;
    let doctorId: string | undefined;
    if (q.doctor_id !== undefined) {
      // A doctor sees only their own patients' alerts: another doctor's id lists nothing.
      if (viewer.role === 'patient' || (viewer.role === 'doctor' && q.doctor_id !== viewer.id))
        return { items: [], next_cursor: null };
      doctorId = q.doctor_id;
    }
    if (q.patient_id !== undefined) {
      // Like every per-patient endpoint: a patient the viewer may not see does not exist for them.
      if (!(await this.deps.canSeePatient(viewer, q.patient_id)))
        throw notFound('PATIENT_NOT_FOUND', 'patient_id');
      patientIds = [q.patient_id];
    } else if (doctorId !== undefined) {
      // Listed by doctor above.
    } else if (viewer.role === 'patient') patientIds = [viewer.id];
    else if (viewer.role === 'doctor') doctorId = viewer.id;
    const rows = await this.deps.alerts.list({
      state: q.state,
      severity: q.severity,
      patientIds,
      doctorId,
      limit: q.limit + 1,
      before: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toAlertView),
      next_cursor: rows.length > q.limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  async get(viewer: Viewer, id: string): Promise<AlertView> {
    return toAlertView(await this.findVisible(viewer, id));
  }

  async acknowledge(viewer: Viewer, id: string): Promise<AlertView> {
    const found = await this.findVisible(viewer, id);
    if (viewer.role === 'patient') throw forbidden('Only clinicians acknowledge alerts');
    return this.enqueue(found.patient_id, async () => {
      const k = alertKey(found.patient_id, found.rule_kind, found.device_id);
      const row = await this.latest(k, found);
      if (row.acknowledged_at !== null) return toAlertView(row);
      const now = this.deps.clock.now();
      const next: AlertRow = {
        ...row,
        acknowledged_at: now,
        acknowledged_by: viewer.id,
        updated_at: now,
      };
      await this.persist(next, 'update', 'acknowledged');
      if (next.cleared_at === null) this.open.set(k, next);
      return toAlertView(next);
    });
  }

  /**
   * The patient says they have seen the alert (seed 004's `seen_by_patient`). Whoever may see
   * the alert may record it (the patient, or their clinician on their word); others get 404 as
   * for every alert. It is not an acknowledgement and changes nothing else; once set it stays.
   */
  async markSeenByPatient(viewer: Viewer, id: string): Promise<AlertView> {
    const found = await this.findVisible(viewer, id);
    return this.enqueue(found.patient_id, async () => {
      const k = alertKey(found.patient_id, found.rule_kind, found.device_id);
      const row = await this.latest(k, found);
      if (row.seen_by_patient_at !== null) return toAlertView(row);
      const now = this.deps.clock.now();
      const next: AlertRow = { ...row, seen_by_patient_at: now, updated_at: now };
      await this.persist(next, 'update', 'updated');
      if (next.cleared_at === null) this.open.set(k, next);
      return toAlertView(next);
    });
  }

  /**
   * The alert as it stands inside the patient's queue: the open copy this instance holds, else
   * the stored row (another instance or an earlier queued edit may have changed it since `found`).
   */
  private async latest(k: string, found: AlertRow): Promise<AlertRow> {
    const open = this.open.get(k);
    if (open?.id === found.id) return open;
    return (await this.deps.alerts.findById(found.id)) ?? found;
  }

  /** Manual clear. If the condition persists, the rule opens a new alert after its duration. */
  async resolve(viewer: Viewer, id: string): Promise<AlertView> {
    const found = await this.findVisible(viewer, id);
    if (viewer.role === 'patient') throw forbidden('Only clinicians resolve alerts');
    return this.enqueue(found.patient_id, async () => {
      const k = alertKey(found.patient_id, found.rule_kind, found.device_id);
      const row = await this.latest(k, found);
      if (row.cleared_at !== null) return toAlertView(row);
      const now = this.deps.clock.now();
      const next: AlertRow = { ...row, cleared_at: now, cleared_by: viewer.id, updated_at: now };
      await this.persist(next, 'update', 'cleared');
      this.open.delete(k);
      this.setState(found.patient_id, found.rule_kind as AlertRuleKind, found.device_id, {
        since: null,
        open: false,
      });
      return toAlertView(next);
    });
  }

  /**
   * A doctor's (or admin's) own alert about a patient they may see, opened at once with the
   * lifecycle's event and live message. Several may be open for one patient (migration 017).
   */
  async createManual(viewer: Viewer, input: ManualAlertInput): Promise<AlertView> {
    if (viewer.role === 'patient') throw forbidden('Only clinicians create alerts');
    if (!(await this.deps.canSeePatient(viewer, input.patient_id)))
      throw new DomainError('PATIENT_NOT_FOUND', { field: 'patient_id' });
    const message = input.message.trim();
    if (message === '') throw validationFailed('message', 'message must not be blank');
    const now = this.deps.clock.now();
    const row: AlertRow = {
      id: this.deps.newId(),
      patient_id: input.patient_id,
      device_id: input.device_id ?? null,
      rule_kind: MANUAL,
      severity: input.severity ?? 'warning',
      message,
      value: null,
      opened_at: now,
      // A doctor's alert is about the patient, not about samples of theirs.
      onset_at: null,
      updated_at: now,
      update_count: 0,
      cleared_at: null,
      cleared_by: null,
      acknowledged_at: null,
      acknowledged_by: null,
      seen_by_patient_at: null,
    };
    await this.persist(row, 'insert', 'opened');
    return toAlertView(row);
  }

  /** Edits a manual alert's message or severity; false when nothing changed. */
  async editManual(
    viewer: Viewer,
    id: string,
    patch: { message?: string | undefined; severity?: 'info' | 'warning' | 'critical' | undefined },
  ): Promise<boolean> {
    const row = await this.findManual(viewer, id);
    const message = patch.message?.trim();
    if (message === '') throw validationFailed('message', 'message must not be blank');
    const next: AlertRow = {
      ...row,
      message: message ?? row.message,
      severity: patch.severity ?? row.severity,
    };
    if (next.message === row.message && next.severity === row.severity) return false;
    next.updated_at = this.deps.clock.now();
    next.update_count = row.update_count + 1;
    await this.persist(next, 'update', 'updated');
    return true;
  }

  /** Deletes a manual alert; live clients are told it cleared first. */
  async deleteManual(viewer: Viewer, id: string): Promise<void> {
    const row = await this.findManual(viewer, id);
    if (row.cleared_at === null) {
      const now = this.deps.clock.now();
      await this.persist(
        { ...row, cleared_at: now, cleared_by: viewer.id, updated_at: now },
        'update',
        'cleared',
      );
    }
    await this.deps.alerts.delete(id);
  }

  private async findManual(viewer: Viewer, id: string): Promise<AlertRow> {
    const row = await this.findVisible(viewer, id);
    if (viewer.role === 'patient') throw forbidden('Only clinicians change alerts');
    if (row.rule_kind !== MANUAL) throw new DomainError('ALERT_NOT_MANUAL', { field: 'id' });
    return row;
  }

  /**
   * A device stopped serving a patient (handed on, unassigned, deleted): that patient's open
   * rule alerts raised by it are cleared (`cleared_by: 'device'`), since nothing the device sends
   * can clear them any more, and the device's rule state starts afresh for whoever it serves
   * next. Manual alerts are a clinician's documents and stay as they are.
   */
  async releaseDevice(patientId: string, deviceId: string): Promise<void> {
    await this.enqueue(patientId, async () => {
      const now = this.deps.clock.now();
      const rows = (await this.deps.alerts.listActive()).filter(
        (a) => a.patient_id === patientId && a.device_id === deviceId && a.rule_kind !== MANUAL,
      );
      for (const row of rows) {
        const k = alertKey(patientId, row.rule_kind, deviceId);
        const next: AlertRow = {
          ...row,
          cleared_at: now,
          cleared_by: 'device',
          updated_at: now,
          update_count: row.update_count + (this.pendingCounts.get(k) ?? 0),
        };
        this.pendingCounts.delete(k);
        await this.persist(next, 'update', 'cleared');
        this.open.delete(k);
        this.setState(patientId, row.rule_kind as AlertRuleKind, deviceId, {
          since: null,
          open: false,
        });
      }
      this.offlineStates.delete(deviceId);
      // Its last packet time served the device-silent sweep for this patient only: without it
      // the map kept every device ever heard (one entry per retired device, for good).
      if (this.lastHeard.get(deviceId)?.patientId === patientId) this.lastHeard.delete(deviceId);
    });
  }

  /**
   * A patient was deleted (their alerts went with them: ON DELETE CASCADE): the evaluation state
   * held for them goes too, once their queued evaluations are done, and so does that of the
   * devices that served them (`deviceIds`), so whoever a device serves next starts afresh. Without
   * this, a device-silent alert open for the deleted patient stayed open in memory for the device
   * (its state is per device): the next patient's silent device was never alerted (the sweep
   * "updated" the deleted alert) and their first packet "cleared" it.
   */
  async forgetPatient(patientId: string, deviceIds: readonly string[]): Promise<void> {
    await this.enqueue(patientId, () => {
      this.ruleStates.delete(patientId);
      for (const [k, row] of this.open)
        if (row.patient_id === patientId) {
          this.open.delete(k);
          this.pendingCounts.delete(k);
        }
      for (const deviceId of deviceIds) {
        this.offlineStates.delete(deviceId);
      }
      for (const [deviceId, heard] of this.lastHeard)
        if (heard.patientId === patientId) this.lastHeard.delete(deviceId);
      return Promise.resolve();
    });
  }

  /** Patients with evaluation state held (tests, memory checks). */
  get patientsTracked(): number {
    return this.ruleStates.size;
  }

  /** Devices whose last packet time is held for the device-silent sweep (tests, memory checks). */
  get devicesHeard(): number {
    return this.lastHeard.size;
  }

  /** Waits for queued evaluations (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  private async findVisible(viewer: Viewer, id: string): Promise<AlertRow> {
    const row = await this.deps.alerts.findById(id);
    if (row === undefined || !(await this.deps.canSeePatient(viewer, row.patient_id)))
      throw new DomainError('ALERT_NOT_FOUND', { field: 'id' });
    return row;
  }

  private async apply(
    patientId: string,
    deviceId: string | null,
    rule: AlertRule,
    o: AlertObservation,
  ): Promise<void> {
    const k = alertKey(patientId, rule.kind, deviceId);
    const current = this.getState(patientId, rule.kind, deviceId) ?? {
      since: null,
      open: this.open.has(k),
    };
    const { state, action } = evaluateRule(rule, current, o);
    this.setState(patientId, rule.kind, deviceId, state);
    const now = this.deps.clock.now();
    if (action.type === 'open') {
      const row: AlertRow = {
        id: this.deps.newId(),
        patient_id: patientId,
        device_id: deviceId,
        rule_kind: rule.kind,
        severity: rule.severity,
        message: action.message,
        value: action.value,
        opened_at: now,
        onset_at: action.onsetMs,
        updated_at: now,
        update_count: 0,
        cleared_at: null,
        cleared_by: null,
        acknowledged_at: null,
        acknowledged_by: null,
        seen_by_patient_at: null,
      };
      try {
        await this.persist(row, 'insert', 'opened');
        this.open.set(k, row);
      } catch (error) {
        // Another instance opened it first: adopt theirs (the partial unique index holds one).
        if (!isUniqueViolation(error)) throw error;
        const theirs = (await this.deps.alerts.listActive()).find(
          (a) => alertKey(a.patient_id, a.rule_kind, a.device_id) === k,
        );
        if (theirs !== undefined) this.open.set(k, theirs);
      }
    } else if (action.type === 'update') {
      const row = this.open.get(k);
      if (row === undefined) return;
      const pending = (this.pendingCounts.get(k) ?? 0) + 1;
      if (now - row.updated_at < ALERT_UPDATE_INTERVAL_MS) {
        this.pendingCounts.set(k, pending);
        return;
      }
      this.pendingCounts.delete(k);
      const next: AlertRow = {
        ...row,
        message: action.message,
        value: action.value,
        updated_at: now,
        update_count: row.update_count + pending,
      };
      await this.persist(next, 'update', 'updated');
      this.open.set(k, next);
    } else if (action.type === 'clear') {
      const row = this.open.get(k);
      if (row === undefined) return;
      const next: AlertRow = {
        ...row,
        cleared_at: now,
        cleared_by: 'rule',
        updated_at: now,
        update_count: row.update_count + (this.pendingCounts.get(k) ?? 0),
      };
      this.pendingCounts.delete(k);
      await this.persist(next, 'update', 'cleared');
      this.open.delete(k);
    }
  }

  private async persist(
    row: AlertRow,
    mode: 'insert' | 'update',
    action: AlertAction,
  ): Promise<void> {
    const view = toAlertView(row);
    const eventId = await this.deps.alerts.saveWithEvent(row, mode, {
      type: 'alert',
      patient_id: row.patient_id,
      device_id: row.device_id,
      created_at: row.updated_at,
      payload: JSON.stringify({ action, alert: view }),
    });
    this.deps.realtime.publish({
      type: 'alert',
      patientId: row.patient_id,
      deviceId: row.device_id,
      eventId,
      action,
      data: view,
    });
  }

  private getState(
    patientId: string,
    kind: AlertRuleKind,
    deviceId: string | null,
  ): RuleState | undefined {
    return kind === OFFLINE
      ? this.offlineStates.get(deviceId ?? '')
      : this.statesOf(patientId).get(kind);
  }

  private setState(
    patientId: string,
    kind: AlertRuleKind,
    deviceId: string | null,
    state: RuleState,
  ): void {
    if (kind === OFFLINE) this.offlineStates.set(deviceId ?? '', state);
    else this.statesOf(patientId).set(kind, state);
  }

  private statesOf(patientId: string): Map<AlertRuleKind, RuleState> {
    let m = this.ruleStates.get(patientId);
    if (m === undefined) {
      m = new Map();
      this.ruleStates.set(patientId, m);
    }
    return m;
  }

  private enqueue<T>(patientId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(patientId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(patientId, tail);
    void tail.then(() => {
      if (this.chains.get(patientId) === tail) this.chains.delete(patientId);
    });
    return next;
  }
}

function key(patientId: string, kind: string): string {
  return `${patientId}\u0000${kind}`;
}
