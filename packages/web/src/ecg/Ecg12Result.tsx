/**
 * One stored 12-lead classification: the printout (when the leads were kept), the measurements,
 * the class probabilities and the criteria that fired; and a note when the amplitudes were not
 * assessed as mV (the interpreter then applies no voltage criteria).
 */
import type { ReactNode } from 'react';
import type { Ecg12StoredClassification } from '@vigil/protocol';
import { fmt } from '../format.js';
import { TwelveLeadGrid } from './TwelveLeadGrid.js';

const CLASS_NAMES: Record<string, string> = {
  NORM: 'Normal',
  MI: 'Myocardial infarction',
  STTC: 'ST/T change',
  CD: 'Conduction disturbance',
  HYP: 'Hypertrophy',
};

export function Ecg12Result({ stored }: { stored: Ecg12StoredClassification }): ReactNode {
  const { record, result, signal } = stored;
  if (result === null)
    return (
      <p role="alert">
        This request was refused: {record.error_message ?? record.error_code ?? 'unknown error'}
      </p>
    );
  const m = result.measurements;
  const relative = result.units_assessed !== 'mV';
  return (
    <>
      <p className="ecg12-verdict">
        <strong data-testid="ecg12-class">
          {result.class_description} ({result.class_name})
        </strong>{' '}
        · {result.model_version} · {new Date(record.created_at).toLocaleString()}
      </p>
      {relative && (
        <p className="ecg12-units" role="note" data-testid="ecg12-units-note">
          The amplitudes of this recording do not look like millivolts (units assessed:{' '}
          {result.units_assessed}). The traces are drawn as if 1 unit = 1 mV, and no voltage
          criterion (ST deviation, Sokolow–Lyon, Cornell, low voltage) was applied.
        </p>
      )}
      <section className="card" aria-labelledby="ecg12-trace-title">
        <h2 id="ecg12-trace-title">12-lead ECG · 25 mm/s · 10 mm/mV</h2>
        {signal ? (
          <TwelveLeadGrid
            title="12-lead ECG: I, aVR, V1, V4 / II, aVL, V2, V5 / III, aVF, V3, V6 and a lead II rhythm strip"
            signal={{
              samplingRateHz: signal.sampling_rate_hz,
              leads: signal.leads,
              samples: signal.samples_mv,
            }}
          />
        ) : (
          <p className="muted">
            The leads were not kept (only ECGs classified for a patient are stored).
          </p>
        )}
      </section>
      <div className="ecg12-columns">
        <section className="card" aria-labelledby="ecg12-meas-title">
          <h2 id="ecg12-meas-title">Measurements</h2>
          <table data-testid="ecg12-measurements">
            <tbody>
              <tr>
                <th scope="row">Heart rate</th>
                <td>{fmt(m.heart_rate_bpm, 0, 'bpm')}</td>
              </tr>
              <tr>
                <th scope="row">PR</th>
                <td>{fmt(m.pr_ms, 0, 'ms')}</td>
              </tr>
              <tr>
                <th scope="row">QRS</th>
                <td>{fmt(m.qrs_ms, 0, 'ms')}</td>
              </tr>
              <tr>
                <th scope="row">QT</th>
                <td>{fmt(m.qt_ms, 0, 'ms')}</td>
              </tr>
              <tr>
                <th scope="row">QTc Bazett</th>
                <td>{fmt(m.qtc_bazett_ms, 0, 'ms')}</td>
              </tr>
              <tr>
                <th scope="row">QTc Fridericia</th>
                <td>{fmt(m.qtc_fridericia_ms, 0, 'ms')}</td>
              </tr>
              <tr>
                <th scope="row">Frontal axis</th>
                <td>
                  {fmt(m.axis_deg, 0, '°')} ({m.axis_sector})
                </td>
              </tr>
              <tr>
                <th scope="row">Beats measured</th>
                <td>{m.beat_count}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="ecg12-prob-title">
          <h2 id="ecg12-prob-title">Class probabilities</h2>
          <table className="ecg12-probs" data-testid="ecg12-probabilities">
            <tbody>
              {Object.entries(result.probabilities).map(([cls, p]) => (
                <tr key={cls}>
                  <th scope="row" title={CLASS_NAMES[cls]}>
                    {cls}
                  </th>
                  <td>{Math.round(p * 100)}%</td>
                  <td className="bar" aria-hidden="true">
                    <span style={{ width: `${Math.round(p * 100)}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section className="card" aria-labelledby="ecg12-findings-title">
        <h2 id="ecg12-findings-title">Criteria that fired</h2>
        {result.findings.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul data-testid="ecg12-findings">
            {result.findings.map((f) => (
              <li key={`${f.class}-${f.criterion}`}>
                <strong>{f.class}</strong> · {f.text} <code className="muted">{f.criterion}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
