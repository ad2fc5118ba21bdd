import type { ReactNode } from 'react';
import type { RiskLabel } from '../api/types.js';
import { useLive, useLoad, useServices, useTick } from '../app-context.js';
import { isAcknowledged, isOpen, loadClinic } from '../data.js';
import { fmt, timeAgo } from '../format.js';
import { rankPatients } from '../patient-ranking.js';
import { navigate } from '../router.js';
import { BabyLatestReading, useLatestBabyReadings } from './BabyLatestReading.js';

/**
 * A device that sends every second and has been quiet for 30 s is worth a look: quiet by the
 * later of its reading's timestamp and when this browser last heard it (a device whose clock is
 * behind, or stepped back, still streams).
 */
const STALE_MS = 30_000;
function isStale(timestamp: number, heardAtMs: number | undefined): boolean {
  return Date.now() - Math.max(timestamp, heardAtMs ?? -Infinity) > STALE_MS;
}

export function RiskBadge({ label }: { label: RiskLabel | null }): ReactNode {
  if (!label) return <span className="badge risk-none">no data</span>;
  return <span className={`badge risk-${label}`}>{label}</span>;
}

export function PatientListPage(): ReactNode {
  const { api } = useServices();
  const store = useLive();
  const { data, error } = useLoad(() => loadClinic(api, store), 'clinic');
  const babies = useLatestBabyReadings();
  // "5 s ago" and the no-data flag age even when no event arrives (a silent device).
  useTick(5000);

  if (error && !data) return <p role="alert">Could not load patients: {error}</p>;
  if (!data) return <p aria-busy="true">Loading patients…</p>;

  const rows = rankPatients(
    data.patients.map((p) => {
      const devices = data.devices.filter((d) => d.patient_id === p.id);
      const readings = devices
        .map((d) => store.latest.get(d.device_id))
        .filter((v) => v !== undefined)
        .sort((a, b) => b.timestamp - a.timestamp);
      const predictions = devices
        .map((d) => store.predictions.get(d.device_id))
        .filter((v) => v !== undefined)
        .sort((a, b) => b.timestamp - a.timestamp);
      const openAlerts = [...store.alerts.values()].filter(
        (a) => a.patient_id === p.id && isOpen(a),
      );
      return {
        id: p.id,
        name: p.name,
        email: p.email,
        latest: readings[0],
        risk: predictions[0]?.risk_label ?? null,
        openAlerts,
      };
    }),
  );

  return (
    <section aria-labelledby="patients-title">
      <h1 id="patients-title" tabIndex={-1}>
        Patients <span className="muted">({rows.length})</span>
      </h1>
      {rows.length === 0 ? (
        <p>No patients yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="patients" data-testid="patient-table">
            <caption className="visually-hidden">
              Patients sorted by urgency: open alerts first, then risk.
            </caption>
            <thead>
              <tr>
                <th scope="col">Patient</th>
                <th scope="col">HR</th>
                <th scope="col">SpO₂</th>
                <th scope="col">Temp</th>
                <th scope="col">Risk</th>
                <th scope="col">Open alerts</th>
                <th scope="col">Last reading</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const unacked = r.openAlerts.filter((a) => !isAcknowledged(a)).length;
                return (
                  <tr key={r.id} data-testid="patient-row" data-patient-id={r.id}>
                    <th scope="row">
                      <a
                        href={`/patients/${encodeURIComponent(r.id)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/patients/${encodeURIComponent(r.id)}`);
                        }}
                      >
                        {r.name}
                      </a>
                    </th>
                    <td data-label="HR">{fmt(r.latest?.heart_rate_bpm, 0, 'bpm')}</td>
                    <td data-label="SpO₂">{fmt(r.latest?.spo2_percent, 0, '%')}</td>
                    <td data-label="Temp">
                      {fmt(r.latest?.temperature_c ?? babies.get(r.id)?.temperature, 1, '°C')}
                    </td>
                    <td data-label="Risk">
                      <RiskBadge label={r.risk} />
                    </td>
                    <td data-label="Open alerts" data-testid="open-alerts">
                      {r.openAlerts.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <span
                          className={`badge sev-${r.openAlerts.some((a) => a.severity === 'critical') ? 'critical' : 'warning'}`}
                        >
                          {r.openAlerts.length} open
                          {unacked > 0 ? `, ${unacked} unacknowledged` : ', all acknowledged'}
                        </span>
                      )}
                    </td>
                    <td data-label="Last reading">
                      {r.latest ? (
                        <span
                          className={
                            isStale(r.latest.timestamp, store.heardAtMs.get(r.latest.device_id))
                              ? 'stale'
                              : undefined
                          }
                        >
                          {timeAgo(r.latest.timestamp)}
                          {isStale(r.latest.timestamp, store.heardAtMs.get(r.latest.device_id))
                            ? ' · no data'
                            : ''}
                        </span>
                      ) : (
                        !babies.has(r.id) && '—'
                      )}
                      <BabyLatestReading reading={babies.get(r.id)} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
