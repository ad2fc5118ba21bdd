import type { EcgStrip, MeasureSummary, Report, TrendPoint } from '@vigil/protocol';
import PDFDocument from 'pdfkit';
import { trendAxisRange, type TrendAxisOptions } from './report-chart-axis.js';

/**
 * A report as PDF (pdfkit; no browser on the server). Everything is drawn as vectors: trend
 * charts as polylines, ECG strips on the standard paper grid of 25 mm/s and 10 mm/mV with 1 mm
 * minor and 5 mm major lines (IEC 60601-2-25 recording speed and gain; AHA/ACCF/HRS 2007
 * recommendations for the standardization of the ECG, part I). Text uses the PDF base-14
 * Helvetica, so nothing is embedded and `pdftotext` reads every figure back.
 */

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const CONTENT_W = PAGE.width - 2 * PAGE.margin;
const GRID_MINOR = '#f4c7c7';
const GRID_MAJOR = '#e08a8a';

/**
 * The trend charts' y-axes: a span of at least 20 bpm, 10 % SpO2 and 2 °C, so that a change within
 * normal variation (a few bpm, a tenth of a degree) is drawn as small as it is.
 */
export const REPORT_TREND_AXES = {
  heartRate: { minSpan: 20, floor: 0 },
  spo2: { minSpan: 10, floor: 0, ceiling: 100 },
  temperature: { minSpan: 2 },
} as const satisfies Record<string, TrendAxisOptions>;

const fmtTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** "2 h 05 min", "45 s": durations in the units a reader expects. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A measure's figures, then one line per threshold (so no figure is split by a wrap). */
function measureLines(
  label: string,
  m: MeasureSummary | null,
  reason: string | undefined,
): string[] {
  if (m === null) return [`${label}: no data (${reason ?? 'none stored'})`];
  const parts = [
    `${label}: min ${m.min} / mean ${m.mean} / max ${m.max} ${m.unit} (${m.count} readings, monitored ${formatDuration(m.monitored_ms)})`,
  ];
  if (m.above !== null)
    parts.push(
      `    time above ${m.above.threshold} ${m.unit} (${m.above.rule}): ${formatDuration(m.above.ms)}${m.above.percent === null ? '' : ` (${m.above.percent} %)`}`,
    );
  if (m.below !== null)
    parts.push(
      `    time below ${m.below.threshold} ${m.unit} (${m.below.rule}): ${formatDuration(m.below.ms)}${m.below.percent === null ? '' : ` (${m.below.percent} %)`}`,
    );
  return parts;
}

export async function renderReportPdf(report: Report): Promise<Buffer> {
  const c = report.content;
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: {
      Title: report.title,
      Author: 'Vigil',
      Subject: `Monitoring report of ${c.patient.name}`,
      // Fixed from the report so the same report renders to the same bytes.
      CreationDate: new Date(report.updated_at),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  const heading = (text: string) => {
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).fillColor('black').text(text);
    doc.font('Helvetica').fontSize(9);
  };
  const line = (text: string) => doc.font('Helvetica').fontSize(9).fillColor('black').text(text);

  // --- header
  doc.font('Helvetica-Bold').fontSize(16).text(report.title);
  doc.font('Helvetica').fontSize(10);
  doc.text(`Patient: ${c.patient.name} (${c.patient.id})`);
  doc.text(`Period: ${fmtTime(report.period_start)} to ${fmtTime(report.period_end)}`);
  doc.text(
    `Status: ${report.status === 'final' ? 'FINAL' : 'DRAFT'}${report.finalized_at === null ? '' : ` (finalised ${fmtTime(report.finalized_at)})`}`,
  );
  doc.text(
    `Generated ${fmtTime(c.generated_at)} from ${c.packets} stored packets of ${c.devices.length} device(s)`,
  );

  heading('Vital signs');
  for (const [label, m, reason] of [
    ['Heart rate', c.heart_rate, c.no_data.heart_rate],
    ['SpO2', c.spo2, c.no_data.spo2],
    ['Temperature', c.temperature, c.no_data.temperature],
  ] as const)
    for (const text of measureLines(label, m, reason)) line(text);
  if (c.hrv === null) line(`HRV: no data (${c.no_data.hrv ?? 'none stored'})`);
  else
    line(
      `HRV (${c.hrv.windows} windows of ${c.hrv.window_ms / 1000} s): mean NN ${c.hrv.mean_nn_ms} ms, SDNN index ${c.hrv.sdnn_index_ms} ms, RMSSD ${c.hrv.rmssd_ms} ms, pNN50 ${c.hrv.pnn50_percent} %`,
    );

  heading('Arrhythmia burden');
  const a = c.arrhythmia;
  if (a === null) line(`No data (${c.no_data.arrhythmia ?? 'none stored'})`);
  else {
    line(
      `Analysed ECG ${formatDuration(a.analysed_ms)}; AF ${formatDuration(a.af_ms)}${a.af_percent === null ? '' : ` (${a.af_percent} %)`}; longest pause ${a.longest_pause_ms === null ? 'none' : `${Math.round(a.longest_pause_ms)} ms`}; VT runs ${a.vt_runs} (longest ${a.longest_vt_run_beats} beats)`,
    );
    line(
      a.veb_per_hour === 'not recorded' || a.sveb_per_hour === 'not recorded'
        ? `VEB and SVEB per hour: not recorded (${c.no_data.veb_per_hour ?? ''})`
        : `VEB ${a.veb_per_hour} per hour (${a.veb_beats ?? 0} beats), SVEB ${a.sveb_per_hour} per hour (${a.sveb_beats ?? 0} beats), over ${formatDuration(a.counted_ms)} with beat counts`,
    );
  }

  heading('Trends');
  const points = c.trends.points;
  trendChart(doc, 'Heart rate (bpm)', points, (p) => p.hr_bpm, report, REPORT_TREND_AXES.heartRate);
  trendChart(doc, 'SpO2 (%)', points, (p) => p.spo2_percent, report, REPORT_TREND_AXES.spo2);
  trendChart(
    doc,
    'Temperature (°C)',
    points,
    (p) => p.temperature_c,
    report,
    REPORT_TREND_AXES.temperature,
  );

  // --- alerts
  doc.addPage();
  heading(`Alerts (${c.alerts.total})`);
  if (c.alerts.items.length === 0) line('No alert in the period.');
  const cols = [0, 95, 170, 230, 400];
  // The event's time in the data (onset_at), which is what the ECG strips and trends show; the
  // acknowledgement delay is counted from the opening, when Vigil could first have told anyone.
  const header = ['Event', 'Rule', 'Severity', 'Message', 'Acknowledged (delay)'];
  let y = doc.y + 4;
  doc.font('Helvetica-Bold').fontSize(8);
  header.forEach((h, i) => doc.text(h, PAGE.margin + (cols[i] ?? 0), y, { lineBreak: false }));
  doc.font('Helvetica');
  for (const al of c.alerts.items) {
    y += 12;
    if (y > PAGE.height - PAGE.margin - 12) {
      doc.addPage();
      y = PAGE.margin;
    }
    const ack =
      al.acknowledged_at === null
        ? 'not acknowledged'
        : `${fmtTime(al.acknowledged_at).slice(11)} (${formatDuration(al.ack_delay_ms ?? 0)})`;
    const at = fmtTime(al.onset_at ?? al.opened_at).slice(0, 16);
    const cells = [at, al.rule_kind, al.severity, al.message, ack];
    cells.forEach((t, i) =>
      doc.text(t, PAGE.margin + (cols[i] ?? 0), y, {
        lineBreak: false,
        width: (cols[i + 1] ?? CONTENT_W) - (cols[i] ?? 0) - 4,
        ellipsis: true,
      }),
    );
  }
  doc.x = PAGE.margin;
  doc.y = y + 16;

  if (c.baby_monitor !== null) {
    heading('Baby monitor');
    const b = c.baby_monitor;
    line(
      `${b.readings} readings; temperature ${b.temperature_c === null ? 'no data' : `${b.temperature_c.min} / ${b.temperature_c.mean} / ${b.temperature_c.max} °C`}; humidity ${b.humidity_percent === null ? 'no data' : `${b.humidity_percent.min} / ${b.humidity_percent.mean} / ${b.humidity_percent.max} %`}; cries ${b.cries}; sick ${b.sick}`,
    );
  }
  if (c.ecg12 !== null) {
    heading('12-lead ECG classifications');
    for (const e of c.ecg12) {
      line(`${fmtTime(e.created_at)}: ${e.class_name ?? '?'} ${e.class_description ?? ''}`);
      const m = e.measurements;
      if (m != null) {
        const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
        line(
          `  HR ${m.heart_rate_bpm === null ? '—' : `${Math.round(m.heart_rate_bpm)} bpm`}, PR ${ms(m.pr_ms)}, QRS ${ms(m.qrs_ms)}, QT ${ms(m.qt_ms)}, QTc (Bazett) ${ms(m.qtc_bazett_ms)}, axis ${m.axis_deg === null ? '—' : `${Math.round(m.axis_deg)}°`} (${m.axis_sector})`,
        );
      }
      for (const f of e.findings ?? []) line(`  ${f.class}: ${f.text}`);
    }
  }

  heading('Notes');
  line(report.notes === '' ? '(none)' : report.notes);
  if (report.addenda.length > 0) {
    heading('Addenda');
    for (const ad of report.addenda) line(`${fmtTime(ad.created_at)}: ${ad.text}`);
  }

  // --- ECG strips, three per page
  c.ecg_strips.forEach((s, i) => {
    if (i % 3 === 0) doc.addPage();
    ecgStrip(doc, s, PAGE.margin + (i % 3) * 250);
  });

  doc.end();
  await done;
  return Buffer.concat(chunks);
}

function trendChart(
  doc: PDFKit.PDFDocument,
  title: string,
  points: TrendPoint[],
  value: (p: TrendPoint) => number | null,
  report: Report,
  axis: TrendAxisOptions,
): void {
  const h = 90;
  const x0 = PAGE.margin + 30;
  const w = CONTENT_W - 30;
  const top = doc.y + 14;
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('black')
    .text(title, PAGE.margin, top - 12);
  const vals = points.map(value).filter((v): v is number => v !== null);
  doc.lineWidth(0.5).strokeColor('#888888').rect(x0, top, w, h).stroke();
  if (vals.length === 0) {
    doc.text('no data', x0 + 4, top + h / 2 - 4);
  } else {
    const { lo, hi } = trendAxisRange(vals, axis);
    const span = report.period_end - report.period_start;
    const px = (t: number) => x0 + ((t - report.period_start) / span) * w;
    const py = (v: number) => top + h - ((v - lo) / (hi - lo)) * h;
    doc
      .fontSize(7)
      .text(String(Math.round(hi * 10) / 10), PAGE.margin, top - 3, { width: 28, align: 'right' });
    doc.text(String(Math.round(lo * 10) / 10), PAGE.margin, top + h - 5, {
      width: 28,
      align: 'right',
    });
    doc.lineWidth(0.8).strokeColor('#1f4e9a');
    let pen = false;
    for (const p of points) {
      const v = value(p);
      if (v === null) {
        pen = false;
        continue;
      }
      const x = px(p.t);
      const y = py(v);
      if (pen) doc.lineTo(x, y);
      else doc.moveTo(x, y);
      pen = true;
    }
    doc.stroke();
  }
  // Time axis: the period's ends (the chart spans the whole period, gaps included).
  doc.strokeColor('black').fillColor('black').fontSize(7);
  doc.text(fmtTime(report.period_start), x0, top + h + 2, { lineBreak: false });
  doc.text(fmtTime(report.period_end), x0 + w - 100, top + h + 2, { width: 100, align: 'right' });
  doc.x = PAGE.margin;
  doc.y = top + h + 14;
}

/** One 10 s strip as two rows of 5 s on 25 mm/s × 10 mm/mV paper, each row ±1.5 mV. */
function ecgStrip(doc: PDFKit.PDFDocument, s: EcgStrip, top: number): void {
  doc
    .font('Helvetica-Bold')
    .fontSize(9)
    .fillColor('black')
    .text(
      `${s.rule_kind} at ${fmtTime(s.start + 5000)} (device ${s.device_id}), 25 mm/s, 10 mm/mV`,
      PAGE.margin,
      top,
    );
  const rowMs = 5000;
  const rowW = (rowMs / 1000) * 25 * MM;
  const rowH = 30 * MM;
  const perRow = Math.round((rowMs / 1000) * s.fs_hz);
  for (let r = 0; r < 2; r++) {
    const x0 = PAGE.margin;
    const y0 = top + 14 + r * (rowH + 8);
    for (let mm = 0; mm <= 125; mm++) {
      doc
        .lineWidth(mm % 5 === 0 ? 0.5 : 0.2)
        .strokeColor(mm % 5 === 0 ? GRID_MAJOR : GRID_MINOR)
        .moveTo(x0 + mm * MM, y0)
        .lineTo(x0 + mm * MM, y0 + rowH)
        .stroke();
    }
    for (let mm = 0; mm <= 30; mm++) {
      doc
        .lineWidth(mm % 5 === 0 ? 0.5 : 0.2)
        .strokeColor(mm % 5 === 0 ? GRID_MAJOR : GRID_MINOR)
        .moveTo(x0, y0 + mm * MM)
        .lineTo(x0 + rowW, y0 + mm * MM)
        .stroke();
    }
    const mid = y0 + rowH / 2;
    doc.lineWidth(0.6).strokeColor('black');
    let pen = false;
    for (let i = 0; i < perRow; i++) {
      const v = s.samples_mv[r * perRow + i];
      if (v === null || v === undefined) {
        pen = false;
        continue;
      }
      const x = x0 + (i / s.fs_hz) * 25 * MM;
      const y = Math.min(y0 + rowH, Math.max(y0, mid - v * 10 * MM));
      if (pen) doc.lineTo(x, y);
      else doc.moveTo(x, y);
      pen = true;
    }
    doc.stroke();
  }
  doc.strokeColor('black');
}
