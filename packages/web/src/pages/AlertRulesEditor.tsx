/**
 * A patient's alert rules (doctor of the patient or admin): the defaults plus this patient's
 * overrides. Saving sends only the overrides — rules the doctor changed or had already changed —
 * so the others keep following the clinic defaults.
 */
import { useState } from 'react';
import type { ReactNode } from 'react';
import { describeRequestError } from '../api/client.js';
import type { AlertRuleBody, AlertRules, AlertSeverity, PutAlertRules } from '../api/types.js';
import { useLoad, useServices } from '../app-context.js';

type Row = AlertRules['rules'][number];

const SEVERITIES: AlertSeverity[] = ['info', 'warning', 'critical'];

const UNIT: Partial<Record<Row['kind'], string>> = {
  hr_high: 'bpm',
  hr_low: 'bpm',
  spo2_low: '%',
  fever: '°C',
  device_silent: 'min',
  pause: 'ms',
};

function toBody(r: Row): AlertRuleBody {
  return {
    kind: r.kind,
    enabled: r.enabled,
    threshold: r.threshold,
    duration_s: r.duration_s,
    severity: r.severity,
  };
}

export function AlertRulesEditor({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const url = `/api/v1/patients/${encodeURIComponent(patientId)}/alert-rules`;
  const { data, error } = useLoad(() => api.get<AlertRules>(url), url);
  const [edited, setEdited] = useState<Map<Row['kind'], Row>>(new Map());
  const [status, setStatus] = useState<string | null>(null);

  if (error && !data) return <p role="alert">Could not load alert rules: {error}</p>;
  if (!data) return <p aria-busy="true">Loading alert rules…</p>;
  const rows = data.rules.map((r) => edited.get(r.kind) ?? r);
  const change = (r: Row, patch: Partial<Row>): void => {
    setEdited(new Map(edited).set(r.kind, { ...r, ...patch, source: 'patient' }));
  };
  const save = (): void => {
    const body: PutAlertRules = { rules: rows.filter((r) => r.source === 'patient').map(toBody) };
    setStatus(null);
    api.request<AlertRules>('PUT', url, body).then(
      () => {
        setStatus('Alert rules saved.');
      },
      (err: unknown) => {
        setStatus(describeRequestError(err, 'Save failed.'));
      },
    );
  };

  return (
    <details className="card rules">
      <summary>
        <h2>Alert rules</h2>
      </summary>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">On</th>
              <th scope="col">Threshold</th>
              <th scope="col">Hold (s)</th>
              <th scope="col">Severity</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.kind}>
                <th scope="row">
                  {r.kind.replace(/_/g, ' ')}{' '}
                  {r.source === 'patient' && <span className="muted">(this patient)</span>}
                </th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${r.kind} enabled`}
                    checked={r.enabled}
                    onChange={(e) => {
                      change(r, { enabled: e.target.checked });
                    }}
                  />
                </td>
                <td>
                  {r.threshold === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <input
                      type="number"
                      step="any"
                      aria-label={`${r.kind} threshold${UNIT[r.kind] ? ` in ${UNIT[r.kind] ?? ''}` : ''}`}
                      value={r.threshold}
                      onChange={(e) => {
                        change(r, { threshold: Number(e.target.value) });
                      }}
                    />
                  )}
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={86400}
                    aria-label={`${r.kind} hold time in seconds`}
                    value={r.duration_s}
                    onChange={(e) => {
                      change(r, { duration_s: Math.round(Number(e.target.value)) });
                    }}
                  />
                </td>
                <td>
                  <select
                    aria-label={`${r.kind} severity`}
                    value={r.severity}
                    onChange={(e) => {
                      const severity = SEVERITIES.find((s) => s === e.target.value);
                      if (severity) change(r, { severity });
                    }}
                  >
                    {SEVERITIES.map((s) => (
                      <option key={s}>{s}</option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button onClick={save}>Save rules</button>
      <p role="status">{status}</p>
    </details>
  );
}
