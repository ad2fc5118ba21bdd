import type { HeartRateHistory } from '@vigil/protocol';
import type { ReactNode } from 'react';
import { query } from '../api/client.js';
import { useLoad, useServices } from '../app-context.js';
import { fmt, timeAgo } from '../format.js';
import { cameraMeasurements } from '../rppg/camera-measurements.js';

const WEEK_MS = 7 * 86_400_000;

/**
 * The patient's finished camera heart-rate measurements (source rppg) of the last 7 days, from
 * the patient's heart-rate history; nothing is shown for a patient who never measured.
 */
export function CameraMeasurementsPanel({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const { data } = useLoad(() => {
    const to = Date.now();
    return api.get<HeartRateHistory>(
      `/api/v1/patients/${encodeURIComponent(patientId)}/heart-rate${query({ from: to - WEEK_MS, to, limit: 5000 })}`,
    );
  }, `heart-rate:${patientId}`);
  const measurements = data ? cameraMeasurements(data.observations) : [];
  if (measurements.length === 0) return null;
  return (
    <section className="card" aria-labelledby="camera-hr-title">
      <h2 id="camera-hr-title">Camera heart rate measurements</h2>
      <table data-testid="camera-measurements">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Heart rate</th>
            <th scope="col">Readings</th>
            <th scope="col">Confidence</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {measurements.slice(0, 20).map((m) => (
            <tr key={m.sessionId} data-testid="camera-measurement">
              <td>
                <time dateTime={new Date(m.startMs).toISOString()}>{timeAgo(m.startMs)}</time>
              </td>
              <td>{fmt(m.medianBpm, 0, 'bpm')}</td>
              <td>{m.readings}</td>
              <td>{m.confidence ?? '—'}</td>
              <td>camera (rPPG)</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
