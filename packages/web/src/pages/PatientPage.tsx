import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, query, type ApiClient } from '../api/client.js';
import type { Alert, Device, Prediction, PredictionsPage, Series, User } from '../api/types.js';
import { useLive, useLoad, useServices, useSession } from '../app-context.js';
import { TrendChart } from '../charts/TrendChart.js';
import { isAcknowledged, isBabyMonitorOnly, isOpen, primeDevices } from '../data.js';
import { EcgStrip } from '../ecg/EcgStrip.js';
import { LiveTwelveLead } from '../ecg/LiveTwelveLead.js';
import { alertEventTime } from '../alert-time.js';
import { asList, fmt, timeAgo } from '../format.js';
import { navigate } from '../router.js';
import {
  hrvPoints,
  hrvTitle,
  seriesPath,
  seriesPoints,
  type SeriesField,
  type TrendPoint,
} from '../trend-series.js';
import { AlertRulesEditor } from './AlertRulesEditor.js';
import { BabyMonitorPanel, useBabyMonitor } from './BabyMonitorPanel.js';
import { LastSeen } from '../components/LastSeen.js';
import { CameraMeasurementsPanel } from './CameraMeasurementsPanel.js';
import { PatientEcg12List } from './Ecg12Page.js';
import { RiskBadge } from './PatientListPage.js';
import { ReportsPanel } from './ReportsPanel.js';

const RANGES = {
  '1h': { ms: 3_600_000, interval: '1m', intervalMs: 60_000, bucket: '1-min' },
  '24h': { ms: 86_400_000, interval: '5m', intervalMs: 300_000, bucket: '5-min' },
  '7d': { ms: 7 * 86_400_000, interval: '1h', intervalMs: 3_600_000, bucket: '1-h' },
} as const;
type RangeKey = keyof typeof RANGES;

/** Most prediction pages read for the HRV trend (1000 each); enough for 1 h of 1 s packets. */
const HRV_MAX_PAGES = 4;

async function loadTrends(
  api: ApiClient,
  deviceId: string,
  range: RangeKey,
  from: number,
  to: number,
): Promise<{ series: Series; hrv: TrendPoint[]; hrvTitle: string }> {
  const spec = RANGES[range];
  const id = encodeURIComponent(deviceId);
  const series = await api.get<Series>(
    seriesPath(
      deviceId,
      { interval: spec.interval, from, to },
      Intl.DateTimeFormat().resolvedOptions().timeZone,
    ),
  );
  const predictions: Prediction[] = [];
  let cursor: string | undefined;
  // Newest first: the oldest prediction read, while pages remain unread.
  let oldestReadMs: number | null = null;
  for (let page = 0; page < HRV_MAX_PAGES; page++) {
    const res = await api.get<PredictionsPage>(
      `/api/v1/predictions/${id}${query({ from, to, limit: 1000, cursor })}`,
    );
    predictions.push(...res.items);
    if (res.next_cursor === null) {
      oldestReadMs = null;
      break;
    }
    oldestReadMs = res.items.at(-1)?.timestamp ?? null;
    cursor = res.next_cursor;
  }
  return {
    series,
    hrv: hrvPoints(predictions, spec.intervalMs),
    hrvTitle: hrvTitle({ fromMs: from, toMs: to }, oldestReadMs),
  };
}

// Soft y ranges span each vital's NEWS2 zero-score band and a little beyond, so a normal trace
// looks flat and normal instead of being stretched to fill the chart.
const CHARTS: {
  field: SeriesField;
  title: string;
  unit: string;
  color: string;
  softRange: [number, number];
}[] = [
  {
    field: 'heart_rate_bpm',
    title: 'Heart rate',
    unit: 'bpm',
    color: '#c0392b',
    softRange: [40, 140],
  },
  { field: 'spo2_percent', title: 'SpO₂', unit: '%', color: '#1f618d', softRange: [85, 100] },
  {
    field: 'temperature_c',
    title: 'Temperature',
    unit: '°C',
    color: '#b9770e',
    softRange: [35, 40],
  },
];
const HRV_RANGE: [number, number] = [0, 100];

function Trends({ deviceId }: { deviceId: string }): ReactNode {
  const { api } = useServices();
  const [range, setRange] = useState<RangeKey>('1h');
  const [to, setTo] = useState(() => Date.now());
  const from = to - RANGES[range].ms;
  // Trends move on by one bucket at a time; re-query once a minute (the strip and tiles above
  // are the live view).
  useEffect(() => {
    const timer = setInterval(() => {
      setTo(Date.now());
    }, 60_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  const { data, error } = useLoad(
    () => loadTrends(api, deviceId, range, from, to),
    `${deviceId}:${range}:${to}`,
  );
  return (
    <section aria-labelledby="trends-title" className="card">
      <div className="card-head">
        <h2 id="trends-title">Trends</h2>
        <div role="group" aria-label="Time range" className="segmented">
          {(Object.keys(RANGES) as RangeKey[]).map((k) => (
            <button
              key={k}
              aria-pressed={range === k}
              onClick={() => {
                setRange(k);
                setTo(Date.now());
              }}
            >
              {k}
            </button>
          ))}
        </div>
      </div>
      {error && <p role="alert">Could not load trends: {error}</p>}
      <div className="trends">
        {CHARTS.map((c) => (
          <TrendChart
            key={c.field}
            title={c.title}
            unit={c.unit}
            color={c.color}
            softRange={c.softRange}
            points={data ? seriesPoints(data.series, c.field) : []}
            latest={{ bucket: RANGES[range].bucket }}
            fromMs={from}
            toMs={to}
          />
        ))}
        <TrendChart
          title={data?.hrvTitle ?? 'HRV (RMSSD)'}
          unit="ms"
          color="#6c3483"
          softRange={HRV_RANGE}
          points={data?.hrv ?? []}
          latest={{ bucket: RANGES[range].bucket }}
          fromMs={from}
          toMs={to}
        />
      </div>
    </section>
  );
}

/** When the alert's event is in the patient's data (not when the server opened it). */
function AlertEventTime({ alert }: { alert: Alert }): ReactNode {
  const at = alertEventTime(alert);
  if (at === null || alert.onset_at === null) return null;
  return (
    <div className="muted" data-testid="alert-event-time">
      <time dateTime={new Date(alert.onset_at).toISOString()}>{at.text}</time>
    </div>
  );
}

function AlertList({
  patientId,
  canAct,
}: {
  patientId: string;
  /** Clinicians acknowledge and resolve; a patient sees their alerts (the API refuses them 403). */
  canAct: boolean;
}): ReactNode {
  const { api } = useServices();
  const store = useLive();
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useLoad(
    () =>
      api.get<unknown>(`/api/v1/alerts?patient_id=${encodeURIComponent(patientId)}`).then((b) => {
        store.loadAlerts(asList<Alert>(b));
      }),
    `alerts:${patientId}`,
  );
  const alerts = [...store.alerts.values()]
    .filter((a) => a.patient_id === patientId)
    .sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || b.updated_at - a.updated_at);
  const act = (a: Alert, action: 'ack' | 'resolve'): void => {
    setBusy(a.id);
    setMessage(null);
    api.post<Alert>(`/api/v1/alerts/${encodeURIComponent(a.id)}/${action}`).then(
      (updated) => {
        store.applyAlert(updated, false);
        setBusy(null);
        setMessage(action === 'ack' ? 'Alert acknowledged.' : 'Alert resolved.');
      },
      (err: unknown) => {
        setBusy(null);
        setMessage(err instanceof ApiError ? err.message : 'Action failed.');
      },
    );
  };
  return (
    <section aria-labelledby="alerts-title" className="card">
      <h2 id="alerts-title">Alerts</h2>
      <p role="status" className="muted">
        {message}
      </p>
      {alerts.length === 0 ? (
        <p className="muted">No alerts.</p>
      ) : (
        <ul className="alerts" data-testid="alert-list">
          {alerts.map((a) => (
            <li key={a.id} className={`alert sev-${a.severity}`} data-testid="alert-item">
              <div>
                <strong>{a.severity}</strong> {a.message}
                <div className="muted">
                  {isOpen(a) ? 'active' : 'cleared'} ·{' '}
                  <span data-testid="alert-ack-state">
                    {isAcknowledged(a) ? 'acknowledged' : 'unacknowledged'}
                  </span>{' '}
                  · {timeAgo(a.updated_at)}
                </div>
                <AlertEventTime alert={a} />
              </div>
              <div className="actions">
                {canAct && !isAcknowledged(a) && (
                  <button
                    disabled={busy === a.id}
                    onClick={() => {
                      act(a, 'ack');
                    }}
                  >
                    Acknowledge
                  </button>
                )}
                {canAct && isOpen(a) && (
                  <button
                    disabled={busy === a.id}
                    onClick={() => {
                      act(a, 'resolve');
                    }}
                  >
                    Resolve
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function PatientPage({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const session = useSession();
  const store = useLive();
  const { data, error } = useLoad(async () => {
    const [patient, devices] = await Promise.all([
      api.get<User>(`/api/v1/users/${encodeURIComponent(patientId)}`),
      api
        .get<unknown>('/api/v1/devices')
        .then((b) => asList<Device>(b).filter((d) => d.patient_id === patientId)),
    ]);
    await primeDevices(api, store, devices);
    return { patient, devices };
  }, `patient:${patientId}`);
  const [selected, setSelected] = useState<string | null>(null);
  const baby = useBabyMonitor(patientId);

  if (error && !data) return <p role="alert">Could not load this patient: {error}</p>;
  if (!data) return <p aria-busy="true">Loading…</p>;
  const { patient } = data;
  // A baby monitor has no ECG: its readings have a panel of their own.
  const devices = data.devices.filter((d) => !isBabyMonitorOnly(d));
  const isBaby = baby !== undefined && (baby.recent.length > 0 || baby.cries.length > 0);
  const deviceId = selected ?? devices[0]?.device_id ?? null;
  const latest = deviceId ? store.latest.get(deviceId) : undefined;
  const prediction = deviceId ? store.predictions.get(deviceId) : undefined;
  const leadsWindow = deviceId ? store.leadsWindow(deviceId) : null;

  return (
    <article aria-labelledby="patient-title" className="patient">
      {session?.user.role !== 'patient' && (
        <p>
          <a
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate('/');
            }}
          >
            ← All patients
          </a>
        </p>
      )}
      <h1 id="patient-title" tabIndex={-1}>
        {patient.name}
      </h1>
      <p>
        <a
          href={`/patients/${encodeURIComponent(patientId)}/camera`}
          onClick={(e) => {
            e.preventDefault();
            navigate(`/patients/${encodeURIComponent(patientId)}/camera`);
          }}
        >
          Camera heart rate
        </a>
      </p>
      {devices.length > 1 && (
        <div role="group" aria-label="Device" className="segmented">
          {devices.map((d) => (
            <button
              key={d.device_id}
              aria-pressed={d.device_id === deviceId}
              onClick={() => {
                setSelected(d.device_id);
              }}
            >
              {d.name ?? d.device_id}
            </button>
          ))}
        </div>
      )}
      {deviceId ? (
        <>
          <section className="card" aria-labelledby="ecg-title">
            <h2 id="ecg-title">Live ECG · {deviceId}</h2>
            <EcgStrip deviceId={deviceId} label={`Live ECG strip of ${patient.name}`} />
            <dl className="tiles" aria-live="off">
              <div>
                <dt>HR</dt>
                <dd data-testid="tile-hr">{fmt(latest?.heart_rate_bpm, 0, 'bpm')}</dd>
              </div>
              <div>
                <dt>SpO₂</dt>
                <dd>{fmt(latest?.spo2_percent, 0, '%')}</dd>
              </div>
              <div>
                <dt>Temp</dt>
                <dd>{fmt(latest?.temperature_c, 1, '°C')}</dd>
              </div>
              <div>
                <dt>HRV</dt>
                <dd>{fmt(prediction?.hrv?.rmssd_ms, 0, 'ms')}</dd>
              </div>
            </dl>
          </section>
          {leadsWindow && <LiveTwelveLead leads={leadsWindow} patientName={patient.name} />}
          <section className="card" aria-labelledby="risk-title">
            <h2 id="risk-title">Risk</h2>
            {prediction ? (
              <>
                <p>
                  <RiskBadge label={prediction.risk_label} /> score{' '}
                  {prediction.risk_score.toFixed(2)} · confidence{' '}
                  {Math.round(prediction.confidence * 100)}% · {prediction.model_version} ·{' '}
                  {timeAgo(prediction.timestamp)}
                </p>
                {prediction.reasons.length > 0 ? (
                  <ul>
                    {prediction.reasons.map((r) => (
                      <li key={r.code}>{r.text}</li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted">No abnormal findings.</p>
                )}
              </>
            ) : (
              <p className="muted">No prediction yet.</p>
            )}
          </section>
          <Trends deviceId={deviceId} />
        </>
      ) : (
        !isBaby && <p>This patient has no device.</p>
      )}
      {isBaby && <BabyMonitorPanel patientName={patient.name} data={baby} />}
      <AlertList patientId={patientId} canAct={session?.user.role !== 'patient'} />
      <PatientEcg12List patientId={patientId} />
      <CameraMeasurementsPanel patientId={patientId} />
      <ReportsPanel patientId={patientId} />
      {session?.user.role !== 'patient' && <AlertRulesEditor patientId={patientId} />}
      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title">Devices</h2>
        {data.devices.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul>
            {data.devices.map((d) => (
              <li key={d.device_id}>
                <code>{d.device_id}</code> {d.name ? `· ${d.name}` : ''}{' '}
                <span className="muted">
                  <LastSeen
                    deviceId={d.device_id}
                    storedIso={d.last_seen_at}
                    prefix="last seen "
                    never="never seen"
                  />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}
