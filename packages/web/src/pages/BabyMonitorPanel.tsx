/**
 * The baby monitor part of a patient's page (seed 002): the latest reading with its sick flag,
 * temperature and humidity trends, and the timeline of cry events with their probability, who
 * decided, and the clip (fetched with the user's token, so `audio_url` stays private).
 */
import { useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { query } from '../api/client.js';
import { useLoad, useServices } from '../app-context.js';
import {
  babyTrends,
  cryEvidenceLabel,
  cryTimeline,
  type BabyReading,
  type CryEvent,
} from '../baby/baby-readings.js';
import { TrendChart } from '../charts/TrendChart.js';
import { fmt, timeAgo } from '../format.js';

/** The trends cover the last hour in 1-minute buckets (a monitor reads every few seconds). */
const TREND_MS = 3_600_000;
const BUCKET_MS = 60_000;
/** Readings arrive every few seconds; the panel looks again this often. */
const REFRESH_MS = 5000;
/** A patient without readings (no monitor, or not yet) is looked at again this often. */
const IDLE_REFRESH_MS = 60_000;
const CRY_EVENTS_SHOWN = 20;
const TEMPERATURE_RANGE: [number, number] = [35, 39];
const HUMIDITY_RANGE: [number, number] = [30, 70];

export interface BabyMonitorData {
  /** The last hour's readings, newest first. */
  recent: BabyReading[];
  /** The latest cry events (any age), newest first. */
  cries: CryEvent[];
  toMs: number;
}

/** Loads and refreshes a patient's readings; `data` stays undefined until the first answer. */
export function useBabyMonitor(patientId: string): BabyMonitorData | undefined {
  const { api } = useServices();
  const [toMs, setToMs] = useState(() => Date.now());
  const [hasReadings, setHasReadings] = useState(false);
  useEffect(() => {
    const timer = setInterval(
      () => {
        setToMs(Date.now());
      },
      hasReadings ? REFRESH_MS : IDLE_REFRESH_MS,
    );
    return () => {
      clearInterval(timer);
    };
  }, [hasReadings]);
  const { data } = useLoad(async () => {
    const [recent, cries] = await Promise.all([
      api.get<BabyReading[]>(
        `/api/v1/readings${query({ patient_id: patientId, limit: 1000, start_date: new Date(toMs - TREND_MS).toISOString() })}`,
      ),
      api.get<BabyReading[]>(
        `/api/v1/readings${query({ patient_id: patientId, limit: CRY_EVENTS_SHOWN, cry_detected: 'true' })}`,
      ),
    ]);
    setHasReadings(recent.length > 0 || cries.length > 0);
    return {
      recent,
      cries: cryTimeline(cries),
      toMs,
    };
  }, `baby:${patientId}:${toMs}`);
  return data;
}

/** A reading's clip, fetched with the user's token into an object URL the player can read. */
function CryAudio({ url, label }: { url: string; label: string }): ReactNode {
  const { api } = useServices();
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | null = null;
    let cancelled = false;
    api.blob(url).then(
      (blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setSrc(objectUrl);
      },
      () => {
        if (!cancelled) setFailed(true);
      },
    );
    return () => {
      cancelled = true;
      if (objectUrl !== null) URL.revokeObjectURL(objectUrl);
    };
  }, [api, url]);
  if (failed) return <span className="muted">audio unavailable</span>;
  if (src === null) return <span className="muted">loading audio…</span>;
  return <audio controls preload="metadata" src={src} aria-label={label} data-testid="cry-audio" />;
}

export function BabyMonitorPanel({
  patientName,
  data,
}: {
  patientName: string;
  data: BabyMonitorData;
}): ReactNode {
  const latest = data.recent[0];
  const fromMs = data.toMs - TREND_MS;
  const trends = useMemo(() => babyTrends(data.recent, BUCKET_MS), [data.recent]);
  // The captions give the newest measured value, as the tiles do, not a minute's mean.
  const lastTemperature = data.recent.find((r) => r.temperature !== null)?.temperature ?? null;
  const lastHumidity = data.recent.find((r) => r.humidity !== null)?.humidity ?? null;
  return (
    <>
      <section className="card" aria-labelledby="baby-title" data-testid="baby-monitor">
        <h2 id="baby-title">Baby monitor</h2>
        {latest === undefined ? (
          <p className="muted">No reading in the last hour.</p>
        ) : (
          <dl className="tiles" aria-live="off">
            <div>
              <dt>Temp</dt>
              <dd data-testid="baby-temperature">{fmt(latest.temperature, 1, '°C')}</dd>
            </div>
            <div>
              <dt>Humidity</dt>
              <dd>{fmt(latest.humidity, 0, '%')}</dd>
            </div>
            <div>
              <dt>Crying</dt>
              <dd>{latest.cry_detected ? 'yes' : 'no'}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="baby-sick-flag">
                {latest.sick_detected ? (
                  <span className="badge sev-critical">possibly sick</span>
                ) : (
                  <span className="muted">not flagged</span>
                )}
              </dd>
            </div>
          </dl>
        )}
        {latest !== undefined && (
          <p className="muted">Last reading {timeAgo(Date.parse(latest.created_at))}</p>
        )}
        <div className="trends">
          <TrendChart
            title="Temperature"
            unit="°C"
            color="#b9770e"
            softRange={TEMPERATURE_RANGE}
            points={trends.temperature}
            latest={{ reading: lastTemperature }}
            fromMs={fromMs}
            toMs={data.toMs}
          />
          <TrendChart
            title="Humidity"
            unit="%"
            color="#1f618d"
            softRange={HUMIDITY_RANGE}
            points={trends.humidity}
            latest={{ reading: lastHumidity }}
            fromMs={fromMs}
            toMs={data.toMs}
          />
        </div>
      </section>
      <section className="card" aria-labelledby="cries-title">
        <h2 id="cries-title">Cry events</h2>
        {data.cries.length === 0 ? (
          <p className="muted">No crying detected.</p>
        ) : (
          <ol className="alerts" data-testid="cry-timeline">
            {data.cries.map((e) => (
              <li
                key={e.id}
                className={`alert sev-${e.sick ? 'critical' : 'warning'}`}
                data-testid="cry-event"
              >
                <div>
                  <strong>{e.sick ? 'Crying with fever: possibly sick' : 'Crying'}</strong>{' '}
                  <span data-testid="cry-probability">{cryEvidenceLabel(e)}</span>
                  <div className="muted">
                    {new Date(e.atMs).toLocaleTimeString()} · {timeAgo(e.atMs)} ·{' '}
                    {fmt(e.temperatureC, 1, '°C')} · {fmt(e.humidityPercent, 0, '%')}
                    {e.notes ? ` · ${e.notes}` : ''}
                  </div>
                </div>
                <div className="actions">
                  {e.audioUrl === null ? (
                    <span className="muted">no audio</span>
                  ) : (
                    <CryAudio
                      url={e.audioUrl}
                      label={`Cry of ${patientName} at ${new Date(e.atMs).toLocaleTimeString()}`}
                    />
                  )}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
