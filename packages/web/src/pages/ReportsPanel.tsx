import type { MeasureSummary, Report, ReportsPage } from '@vigil/protocol';
import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import { describeRequestError, query } from '../api/client.js';
import { useLoad, useServices, useSession } from '../app-context.js';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DDTHH:mm` in local time, what a datetime-local input holds. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

const fmtDate = (ms: number) => new Date(ms).toLocaleString();

function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

function MeasureRow({
  label,
  m,
  reason,
}: {
  label: string;
  m: MeasureSummary | null;
  reason: string | undefined;
}): ReactNode {
  return (
    <tr>
      <th scope="row">{label}</th>
      {m === null ? (
        <td colSpan={3} className="muted">
          no data ({reason ?? 'none stored'})
        </td>
      ) : (
        <>
          <td>
            {m.min} / {m.mean} / {m.max} {m.unit}
          </td>
          <td>
            {m.above === null
              ? '—'
              : `${duration(m.above.ms)} above ${m.above.threshold} (${m.above.percent ?? '—'} %)`}
          </td>
          <td>
            {m.below === null
              ? '—'
              : `${duration(m.below.ms)} below ${m.below.threshold} (${m.below.percent ?? '—'} %)`}
          </td>
        </>
      )}
    </tr>
  );
}

/** One report's figures, with its lifecycle actions for the doctor. */
function ReportView({
  report,
  canEdit,
  onChanged,
}: {
  report: Report;
  canEdit: boolean;
  onChanged: () => void;
}): ReactNode {
  const { api } = useServices();
  const [message, setMessage] = useState<string | null>(null);
  const c = report.content;
  const download = (): void => {
    api.blob(`/api/v1/reports/${encodeURIComponent(report.id)}/pdf`).then(
      (blob) => {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = `vigil-report-${report.id}.pdf`;
        a.click();
        setTimeout(() => {
          URL.revokeObjectURL(url);
        }, 10_000);
      },
      (err: unknown) => {
        setMessage(describeRequestError(err, 'Download failed.'));
      },
    );
  };
  const finalise = (): void => {
    api
      .request<Report>('PUT', `/api/v1/reports/${encodeURIComponent(report.id)}`, {
        status: 'final',
      })
      .then(
        () => {
          setMessage('Report finalised.');
          onChanged();
        },
        (err: unknown) => {
          setMessage(describeRequestError(err, 'Could not finalise.'));
        },
      );
  };
  return (
    <div data-testid="report-view">
      <h3>{report.title}</h3>
      <p className="muted">
        {fmtDate(report.period_start)} – {fmtDate(report.period_end)} ·{' '}
        <span data-testid="report-status">{report.status}</span> · {c.packets} packets
      </p>
      <table data-testid="report-figures">
        <thead>
          <tr>
            <th scope="col">Vital</th>
            <th scope="col">min / mean / max</th>
            <th scope="col">Above threshold</th>
            <th scope="col">Below threshold</th>
          </tr>
        </thead>
        <tbody>
          <MeasureRow label="Heart rate" m={c.heart_rate} reason={c.no_data.heart_rate} />
          <MeasureRow label="SpO₂" m={c.spo2} reason={c.no_data.spo2} />
          <MeasureRow label="Temperature" m={c.temperature} reason={c.no_data.temperature} />
        </tbody>
      </table>
      <ul>
        <li>
          HRV:{' '}
          {c.hrv === null
            ? `no data (${c.no_data.hrv ?? ''})`
            : `SDNN index ${c.hrv.sdnn_index_ms} ms, RMSSD ${c.hrv.rmssd_ms} ms (${c.hrv.windows} windows)`}
        </li>
        <li>
          Arrhythmia:{' '}
          {c.arrhythmia === null
            ? `no data (${c.no_data.arrhythmia ?? ''})`
            : `AF ${duration(c.arrhythmia.af_ms)} (${c.arrhythmia.af_percent ?? '—'} %), longest pause ${c.arrhythmia.longest_pause_ms ?? '—'} ms, ${c.arrhythmia.vt_runs} VT runs, VEB ${c.arrhythmia.veb_per_hour} / h, SVEB ${c.arrhythmia.sveb_per_hour} / h`}
        </li>
        <li>
          Alerts: {c.alerts.total} · ECG strips: {c.ecg_strips.length}
        </li>
      </ul>
      <div className="actions">
        <button onClick={download}>Download PDF</button>
        {canEdit && report.status === 'draft' && <button onClick={finalise}>Finalise</button>}
      </div>
      <p role="status" className="muted">
        {message}
      </p>
    </div>
  );
}

/**
 * A patient's reports: the list, a form to build one over a period (the doctor, an admin), one
 * report's figures, and its PDF.
 */
export function ReportsPanel({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const session = useSession();
  const canEdit = session?.user.role === 'doctor' || session?.user.role === 'admin';
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 7 * DAY_MS));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useLoad(
    () => api.get<ReportsPage>(`/api/v1/reports${query({ patient_id: patientId, limit: 50 })}`),
    `reports:${patientId}`,
  );
  const view = useLoad(
    () =>
      selected === null
        ? Promise.resolve(null)
        : api.get<Report>(`/api/v1/reports/${encodeURIComponent(selected)}`),
    `report:${selected ?? ''}`,
  );
  const build = (e: SyntheticEvent<HTMLFormElement>): void => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    api
      .post<Report>(`/api/v1/patients/${encodeURIComponent(patientId)}/reports`, {
        period_start: new Date(from).getTime(),
        period_end: new Date(to).getTime(),
        ...(title.trim() === '' ? {} : { title: title.trim() }),
      })
      .then(
        (report) => {
          setBusy(false);
          setMessage('Report built.');
          setSelected(report.id);
          list.reload();
        },
        (err: unknown) => {
          setBusy(false);
          setMessage(describeRequestError(err, 'Could not build the report.'));
        },
      );
  };
  const reports = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="reports-title">
      <h2 id="reports-title">Reports</h2>
      {canEdit && (
        <form onSubmit={build} aria-label="Build a report" className="report-form">
          <label>
            From{' '}
            <input
              type="datetime-local"
              name="period_start"
              value={from}
              onChange={(e) => {
                setFrom(e.target.value);
              }}
              required
            />
          </label>
          <label>
            To{' '}
            <input
              type="datetime-local"
              name="period_end"
              value={to}
              onChange={(e) => {
                setTo(e.target.value);
              }}
              required
            />
          </label>
          <label>
            Title{' '}
            <input
              name="title"
              value={title}
              onChange={(e) => {
                setTitle(e.target.value);
              }}
              maxLength={200}
            />
          </label>
          <button type="submit" disabled={busy}>
            Build report
          </button>
        </form>
      )}
      <p role="status" className="muted">
        {message}
      </p>
      {reports.length === 0 ? (
        <p className="muted">No reports.</p>
      ) : (
        <table data-testid="report-list">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Period</th>
              <th scope="col">Status</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={r.id} data-testid="report-item">
                <td>{r.title}</td>
                <td>
                  {fmtDate(r.period_start)} – {fmtDate(r.period_end)}
                </td>
                <td>{r.status}</td>
                <td>
                  <button
                    aria-pressed={selected === r.id}
                    onClick={() => {
                      setSelected(r.id);
                    }}
                  >
                    View
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {view.data && (
        <ReportView
          report={view.data}
          canEdit={canEdit}
          onChanged={() => {
            view.reload();
            list.reload();
          }}
        />
      )}
    </section>
  );
}
