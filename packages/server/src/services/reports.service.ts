import {
  MAX_REPORT_PERIOD_MS,
  type ArrhythmiaReport,
  type CreateReport,
  type Ecg12Classification,
  type Ecg12ReportItem,
  type EcgStrip,
  type MeasureSummary,
  type Report,
  type ReportAddendum,
  type ReportContent,
  type ReportSummary,
  type ReportsPage,
  type UpdateReport,
} from '@vigil/protocol';
import type { Clock } from '../adapters/clock.js';
import type { ReportsTable } from '../db/schema.js';
import { DomainError, forbidden, notFound, validationFailed } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import { decodeEcgInt16 } from '../repositories/ecg-codec.js';
import { readJson, readJsonOrNull } from '../repositories/json-column.js';
import {
  addAggregates,
  addTrend,
  emptyAggregates,
  type MeasureAggregate,
  type PeriodAggregates,
  type PeriodQuery,
  type ReportsRepository,
  type TrendRow,
} from '../repositories/reports.repository.js';
import type { VitalsRepository } from '../repositories/vitals.repository.js';
import type { AlertRule } from './alert-rule-engine.js';

/** Alert kinds whose opening is worth an ECG strip in the report. */
const ECG_EVENT_KINDS = new Set(['af_onset', 'vt_run', 'pause', 'hr_high', 'hr_low', 'risk_high']);
/**
 * The strip: 10 s centred on the event, the length of a standard rhythm strip. The event's time
 * is the alert's `onset_at`, the data time the analyser placed it at (AF onset, VT run start,
 * pause start): not `opened_at`, the server's clock, which is later by as long as the device held
 * its data back (an ESP32 that buffered offline uploads an hour of ECG at once).
 */
const STRIP_MS = 10_000;
/** Most strips one report carries (the PDF prints each on a third of a page). */
const MAX_STRIPS = 12;
/** Most alerts listed one by one (the total is always given). */
const MAX_ALERTS = 500;
const MAX_ECG12 = 50;
/** Trend charts: about this many points over the period, buckets of whole minutes. */
const TREND_POINTS = 400;
/** Packets aggregated per step of a build (6 h: 21,600 packets at one a second). */
const SLICE_MS = 6 * 3_600_000;
/** Longest chunk a packet can carry (vitals-query.service.ts MAX_CHUNK_MS). */
const MAX_CHUNK_MS = 200_000;

export interface ReportsServiceDeps {
  reports: ReportsRepository;
  vitals: Pick<VitalsRepository, 'listEcg'>;
  canSeePatient(viewer: Viewer, patientId: string): Promise<boolean>;
  /** The alert rules in force for a patient (defaults and overrides). */
  rulesFor(patientId: string): Promise<AlertRule[]>;
  /** Renders a report as a PDF (services/report-pdf.ts). */
  renderPdf(report: Report): Promise<Buffer>;
  clock: Clock;
  newId: () => string;
}

interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

function encodeCursor(r: { created_at: number; id: string }): string {
  return Buffer.from(`${r.created_at}:${r.id}`).toString('base64url');
}
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const s = Buffer.from(cursor, 'base64url').toString();
  const i = s.indexOf(':');
  const createdAt = Number(s.slice(0, i));
  if (i <= 0 || !Number.isSafeInteger(createdAt) || s.length === i + 1)
    throw validationFailed('cursor', 'cursor is not a cursor this API returned');
  return { createdAt, id: s.slice(i + 1) };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const HOUR_MS = 3_600_000;

/**
 * VEB and SVEB per hour: the beats of each class the arrhythmia monitor classified in the
 * period's analysed packets (each prediction stores its packet's counts), over the analysed time
 * of those packets. "not recorded" when none of them carries the counts.
 */
function ectopicRates(
  a: PeriodAggregates['arrhythmia'],
  noData: Record<string, string>,
): Pick<
  ArrhythmiaReport,
  'veb_per_hour' | 'sveb_per_hour' | 'veb_beats' | 'sveb_beats' | 'counted_ms'
> {
  if (a.countedMs === 0) {
    const reason =
      'none of the analysed packets of the period carries its classified beat counts (veb_beats, sveb_beats)';
    noData.veb_per_hour = reason;
    noData.sveb_per_hour = reason;
    return {
      veb_per_hour: 'not recorded',
      sveb_per_hour: 'not recorded',
      veb_beats: null,
      sveb_beats: null,
      counted_ms: 0,
    };
  }
  const hours = a.countedMs / HOUR_MS;
  if (a.countedMs < a.analysedMs)
    noData['arrhythmia.counted_ms'] =
      'some analysed packets carry no classified beat counts: the rates are over counted_ms';
  return {
    veb_per_hour: round(a.vebBeats / hours, 1),
    sveb_per_hour: round(a.svebBeats / hours, 1),
    veb_beats: a.vebBeats,
    sveb_beats: a.svebBeats,
    counted_ms: a.countedMs,
  };
}

/**
 * Clinical reports: built from stored data once (figures, alerts, trends, ECG strips), then
 * read, finalised, given addenda, rendered as PDF. Access: the patient's doctor and admins build
 * and edit; the patient reads their own; anyone else gets REPORT_NOT_FOUND / PATIENT_NOT_FOUND.
 */
export class ReportsService {
  constructor(private readonly deps: ReportsServiceDeps) {}

  async create(viewer: Viewer, patientId: string, input: CreateReport): Promise<Report> {
    if (!(await this.deps.canSeePatient(viewer, patientId)))
      throw notFound('PATIENT_NOT_FOUND', 'id');
    if (viewer.role === 'patient')
      throw forbidden("Only the patient's doctor or an admin builds reports");
    if (input.period_end <= input.period_start)
      throw validationFailed('period_end', 'period_end must be after period_start');
    if (input.period_end - input.period_start > MAX_REPORT_PERIOD_MS)
      throw validationFailed('period_end', 'a report may cover at most 31 days');
    const content = await this.buildContent(patientId, input.period_start, input.period_end);
    const now = this.deps.clock.now();
    const row: ReportsTable = {
      id: this.deps.newId(),
      patient_id: patientId,
      author_id: viewer.id,
      period_start: input.period_start,
      period_end: input.period_end,
      title:
        input.title ??
        `Monitoring report ${new Date(input.period_start).toISOString().slice(0, 10)} to ${new Date(input.period_end).toISOString().slice(0, 10)}`,
      notes: input.notes ?? '',
      status: 'draft',
      addenda: '[]',
      content: JSON.stringify(content),
      created_at: now,
      updated_at: now,
      finalized_at: null,
    };
    await this.deps.reports.insert(row);
    return toReport(row);
  }

  async get(viewer: Viewer, id: string): Promise<Report> {
    return toReport(await this.visible(viewer, id));
  }

  /** The viewer's reports, or one patient's (404 when the patient is not visible). */
  async list(
    viewer: Viewer,
    q: PageQuery & { patient_id?: string | undefined },
  ): Promise<ReportsPage> {
    if (q.patient_id !== undefined && !(await this.deps.canSeePatient(viewer, q.patient_id)))
      throw notFound('PATIENT_NOT_FOUND', 'patient_id');
    return this.page(viewer, q, { patientId: q.patient_id });
  }

  /** Reports about the patients of one doctor (that doctor or an admin; others 404). */
  async listByDoctor(viewer: Viewer, doctorId: string, q: PageQuery): Promise<ReportsPage> {
    if (!(viewer.role === 'admin' || (viewer.role === 'doctor' && viewer.id === doctorId)))
      throw notFound('USER_NOT_FOUND', 'doctor_id');
    return this.page(viewer, q, { doctorId });
  }

  async update(viewer: Viewer, id: string, patch: UpdateReport): Promise<Report> {
    const row = await this.visible(viewer, id);
    if (viewer.role === 'patient')
      throw forbidden("Only the patient's doctor or an admin edits reports");
    const now = this.deps.clock.now();
    if (row.status === 'final') {
      const changes =
        (patch.title !== undefined && patch.title !== row.title) ||
        (patch.notes !== undefined && patch.notes !== row.notes) ||
        (patch.status !== undefined && patch.status !== 'final');
      if (changes) throw new DomainError('REPORT_FINAL');
      if (patch.addendum === undefined) return toReport(row);
      const addenda = [
        ...parseAddenda(row.addenda),
        { text: patch.addendum, author_id: viewer.id, created_at: now },
      ];
      if (
        !(await this.deps.reports.update(id, 'final', {
          addenda: JSON.stringify(addenda),
          updated_at: now,
        }))
      )
        throw new DomainError('REPORT_NOT_FOUND');
    } else {
      if (patch.addendum !== undefined)
        throw new DomainError('REPORT_NOT_FINAL', { field: 'addendum' });
      const finalising = patch.status === 'final';
      const changed = await this.deps.reports.update(id, 'draft', {
        ...(patch.title === undefined ? {} : { title: patch.title }),
        ...(patch.notes === undefined ? {} : { notes: patch.notes }),
        ...(finalising ? { status: 'final' as const, finalized_at: now } : {}),
        updated_at: now,
      });
      // Finalised (or deleted) by someone else since it was read: judge it again as it is now.
      if (!changed) return this.update(viewer, id, patch);
    }
    return this.get(viewer, id);
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    const row = await this.visible(viewer, id);
    if (viewer.role === 'patient')
      throw forbidden("Only the patient's doctor or an admin deletes reports");
    if (row.status === 'final') throw new DomainError('REPORT_FINAL');
    if (!(await this.deps.reports.deleteDraft(id))) {
      const now = await this.deps.reports.findById(id);
      throw new DomainError(now === undefined ? 'REPORT_NOT_FOUND' : 'REPORT_FINAL');
    }
  }

  async pdf(viewer: Viewer, id: string): Promise<{ filename: string; bytes: Buffer }> {
    const report = await this.get(viewer, id);
    const bytes = await this.deps.renderPdf(report);
    return { filename: `vigil-report-${report.id}.pdf`, bytes };
  }

  /** The report's content, from stored rows only; what cannot be computed is named in no_data. */
  async buildContent(patientId: string, from: number, to: number): Promise<ReportContent> {
    const repo = this.deps.reports;
    const name = (await repo.patientName(patientId)) ?? '';
    const deviceIds = await repo.candidateDevices(patientId, from, to);
    const rules = await this.deps.rulesFor(patientId);
    const threshold = (kind: string): number | null => {
      const r = rules.find((x) => x.kind === kind);
      return r !== undefined && r.enabled ? r.threshold : null;
    };
    const th = {
      hrAbove: threshold('hr_high'),
      hrBelow: threshold('hr_low'),
      spo2Below: threshold('spo2_low'),
      tempAbove: threshold('fever'),
    };
    const bucketMs = Math.max(60_000, Math.ceil((to - from) / TREND_POINTS / 60_000) * 60_000);
    // Six hours of packets a step, yielding between steps: on SQLite each query holds the one
    // connection and the event loop, so ingest waits at most one step, not the whole build.
    const agg = emptyAggregates();
    const vtRuns = new Set<string>();
    const trendSums = new Map<number, TrendRow>();
    for (let s0 = from; s0 < to; s0 += SLICE_MS) {
      const q: PeriodQuery = {
        patientId,
        deviceIds,
        from: s0,
        to: Math.min(to, s0 + SLICE_MS),
        periodStart: from,
        periodEnd: to,
      };
      const slice = await repo.aggregates(q, th, bucketMs);
      addAggregates(agg, slice.total);
      for (const tr of slice.trends) {
        const prev = trendSums.get(tr.t);
        trendSums.set(tr.t, prev === undefined ? tr : addTrend(prev, tr));
      }
      // VT episodes are unnested only where a VT run was seen (rare), not for every packet.
      if (slice.total.arrhythmia.longestVtBeats > 0)
        for (const key of await repo.vtEpisodes(q)) vtRuns.add(key);
      await yieldToEventLoop();
    }
    const vt = { runs: vtRuns.size, longestBeats: agg.arrhythmia.longestVtBeats };
    const trendRows = [...trendSums.values()].sort((a, b) => a.t - b.t);
    const alertRows = await repo.alerts(patientId, from, to, MAX_ALERTS);
    const alertTotal = await repo.alertCount(patientId, from, to);
    const baby = await repo.babyReadings(patientId, from, to);
    const ecg12 = await repo.ecg12Results(patientId, from, to, MAX_ECG12);

    const noData: Record<string, string> = {};
    if (deviceIds.length === 0)
      noData.devices = 'no device is assigned to the patient and no alert in the period names one';
    else if (agg.packets === 0)
      noData.packets = 'no packet of the patient was stored in the period';

    const summary = (
      key: string,
      label: string,
      unit: string,
      a: MeasureAggregate,
      above: { rule: string; threshold: number | null } | null,
      below: { rule: string; threshold: number | null } | null,
    ): MeasureSummary | null => {
      if (a.count === 0 || a.min === null || a.max === null) {
        noData[key] = `no ${label} reading was stored for the patient in the period`;
        return null;
      }
      const time = (
        side: 'above' | 'below',
        t: { rule: string; threshold: number | null } | null,
        ms: number,
      ) => {
        if (t === null) {
          noData[`${key}.${side}`] = `Vigil has no ${side}-threshold alert rule for ${label}`;
          return null;
        }
        if (t.threshold === null) {
          noData[`${key}.${side}`] = `the patient's ${t.rule} rule is disabled`;
          return null;
        }
        return {
          threshold: t.threshold,
          rule: t.rule,
          ms,
          percent: a.monitoredMs > 0 ? round((100 * ms) / a.monitoredMs, 2) : null,
        };
      };
      return {
        unit,
        count: a.count,
        min: round(a.min, 2),
        mean: round(a.sum / a.count, 2),
        max: round(a.max, 2),
        monitored_ms: a.monitoredMs,
        above: time('above', above, a.aboveMs),
        below: time('below', below, a.belowMs),
      };
    };

    const h = agg.hrv;
    const hrv =
      h.windows > 0 && h.windowMs !== null
        ? {
            windows: h.windows,
            window_ms: h.windowMs,
            mean_nn_ms: round(h.meanNnSum / h.windows, 1),
            sdnn_index_ms: round(h.sdnnSum / h.windows, 1),
            rmssd_ms: round(h.rmssdSum / h.windows, 1),
            pnn50_percent: round((100 * h.pnn50Sum) / h.windows, 1),
          }
        : null;
    if (hrv === null)
      noData.hrv = 'no analysable ECG window with heart-rate variability was stored in the period';

    let arrhythmia: ReportContent['arrhythmia'] = null;
    if (agg.arrhythmia.packets === 0)
      noData.arrhythmia =
        'no analysable ECG with arrhythmia findings (not withheld) was stored in the period';
    else {
      arrhythmia = {
        analysed_ms: agg.arrhythmia.analysedMs,
        af_ms: agg.arrhythmia.afMs,
        af_percent:
          agg.arrhythmia.analysedMs > 0
            ? round((100 * agg.arrhythmia.afMs) / agg.arrhythmia.analysedMs, 2)
            : null,
        longest_pause_ms: agg.arrhythmia.longestPauseMs,
        vt_runs: vt.runs,
        longest_vt_run_beats: vt.longestBeats,
        ...ectopicRates(agg.arrhythmia, noData),
      };
    }

    const strips: EcgStrip[] = [];
    for (const a of alertRows) {
      if (!ECG_EVENT_KINDS.has(a.rule_kind) || a.device_id === null) continue;
      if (strips.length >= MAX_STRIPS) {
        noData.ecg_strips = `only the first ${MAX_STRIPS} significant events carry a strip`;
        break;
      }
      const eventAt = a.onset_at ?? a.opened_at;
      const strip = await this.strip(a.id, a.rule_kind, a.device_id, eventAt - STRIP_MS / 2);
      if (strip === null) noData[`ecg_strip.${a.id}`] = 'no ECG was stored around this event';
      else strips.push(strip);
    }

    const babyMonitor =
      baby.readings === 0
        ? null
        : {
            readings: baby.readings,
            temperature_c:
              baby.tempMin === null || baby.tempMean === null || baby.tempMax === null
                ? null
                : { min: baby.tempMin, mean: round(baby.tempMean, 2), max: baby.tempMax },
            humidity_percent:
              baby.humMin === null || baby.humMean === null || baby.humMax === null
                ? null
                : { min: baby.humMin, mean: round(baby.humMean, 2), max: baby.humMax },
            cries: baby.cries,
            sick: baby.sick,
          };
    if (babyMonitor === null) noData.baby_monitor = 'no baby-monitor reading in the period';
    if (ecg12.length === 0) noData.ecg12 = 'no 12-lead classification of the patient in the period';

    return {
      generated_at: this.deps.clock.now(),
      patient: { id: patientId, name },
      devices: deviceIds,
      packets: agg.packets,
      heart_rate: summary(
        'heart_rate',
        'heart rate',
        'bpm',
        agg.hr,
        { rule: 'hr_high', threshold: th.hrAbove },
        { rule: 'hr_low', threshold: th.hrBelow },
      ),
      spo2: summary('spo2', 'SpO2', '%', agg.spo2, null, {
        rule: 'spo2_low',
        threshold: th.spo2Below,
      }),
      temperature: summary(
        'temperature',
        'temperature',
        '°C',
        agg.temp,
        { rule: 'fever', threshold: th.tempAbove },
        null,
      ),
      hrv,
      arrhythmia,
      alerts: {
        total: alertTotal,
        items: alertRows.map((a) => ({
          ...a,
          ack_delay_ms: a.acknowledged_at === null ? null : a.acknowledged_at - a.opened_at,
        })),
      },
      baby_monitor: babyMonitor,
      ecg12: ecg12.length === 0 ? null : ecg12.map(toEcg12ReportItem),
      ecg_strips: strips,
      trends: {
        bucket_ms: bucketMs,
        points: trendRows.map((r) => ({
          t: r.t,
          hr_bpm: r.hrN === 0 ? null : round(r.hrSum / r.hrN, 1),
          spo2_percent: r.spo2N === 0 ? null : round(r.spo2Sum / r.spo2N, 1),
          temperature_c: r.tempN === 0 ? null : round(r.tempSum / r.tempN, 2),
        })),
      },
      no_data: noData,
    };
  }

  /** 10 s of a device's stored ECG from `start`, one slot per sample (null where none). */
  private async strip(
    alertId: string,
    ruleKind: string,
    deviceId: string,
    start: number,
  ): Promise<EcgStrip | null> {
    const chunks = await this.deps.vitals.listEcg(deviceId, start, start + STRIP_MS, MAX_CHUNK_MS);
    const fs = chunks[0]?.fs;
    if (fs === undefined) return null;
    const slots: (number | null)[] = new Array<number | null>(
      Math.round((STRIP_MS * fs) / 1000),
    ).fill(null);
    let any = false;
    for (const c of chunks) {
      if (c.fs !== fs) continue;
      const x = decodeEcgInt16(c.samples, c.scale_mv);
      const offset = Math.round(((c.ts - start) * fs) / 1000);
      for (let i = 0; i < x.length; i++) {
        const k = offset + i;
        if (k < 0 || k >= slots.length) continue;
        slots[k] = round(x[i] ?? 0, 4);
        any = true;
      }
    }
    return any
      ? {
          alert_id: alertId,
          rule_kind: ruleKind,
          device_id: deviceId,
          start,
          fs_hz: fs,
          samples_mv: slots,
        }
      : null;
  }

  private async page(
    viewer: Viewer,
    q: PageQuery,
    scope: { patientId?: string | undefined; doctorId?: string | undefined },
  ): Promise<ReportsPage> {
    const rows = await this.deps.reports.list({
      viewer,
      ...scope,
      limit: q.limit + 1,
      before: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummary),
      next_cursor: rows.length > q.limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  private async visible(viewer: Viewer, id: string): Promise<ReportsTable> {
    const row = await this.deps.reports.findById(id);
    if (row === undefined || !(await this.deps.canSeePatient(viewer, row.patient_id)))
      throw new DomainError('REPORT_NOT_FOUND', { field: 'id' });
    return row;
  }
}

/** Lets timers and I/O (ingest) run between two steps of a build. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function parseAddenda(value: unknown): ReportAddendum[] {
  return readJson(value) as ReportAddendum[];
}

/**
 * A 12-lead result as the report shows it: the class with the intervals, axis and the criteria
 * that fired, from the stored classification (a clinician reads the QRS and QTc, not a class
 * alone; the class may be N while a criterion found a conduction delay).
 */
function toEcg12ReportItem(row: {
  id: string;
  created_at: number;
  class_name: string | null;
  class_description: string | null;
  result_json: string | null;
}): Ecg12ReportItem {
  const result = readJsonOrNull(row.result_json) as Ecg12Classification | null;
  return {
    id: row.id,
    created_at: row.created_at,
    class_name: row.class_name,
    class_description: row.class_description,
    measurements: result?.measurements ?? null,
    findings: result?.findings ?? [],
  };
}

function toSummary(row: Omit<ReportsTable, 'content'>): ReportSummary {
  return {
    id: row.id,
    patient_id: row.patient_id,
    author_id: row.author_id,
    period_start: row.period_start,
    period_end: row.period_end,
    title: row.title,
    notes: row.notes,
    status: row.status,
    addenda: parseAddenda(row.addenda),
    created_at: row.created_at,
    updated_at: row.updated_at,
    finalized_at: row.finalized_at,
  };
}

function toReport(row: ReportsTable): Report {
  return { ...toSummary(row), content: readJson(row.content) as ReportContent };
}
