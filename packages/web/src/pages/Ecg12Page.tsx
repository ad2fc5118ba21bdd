/**
 * 12-lead ECG pages: `/ecg12` uploads a record file (.hea + .mat, or WFDB .hea + .dat) or a
 * seed-003 JSON body for a patient and lists recent classifications; `/ecg12/:id` opens one
 * (printout, measurements, probabilities, criteria). PatientEcg12List is the patient page's list.
 */
import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import type {
  Ecg12Classification,
  Ecg12HistoryPage,
  Ecg12HistoryRecord,
  Ecg12StoredClassification,
} from '@vigil/protocol';
import { describeRequestError, query } from '../api/client.js';
import type { User } from '../api/types.js';
import { useLoad, useServices, useSession } from '../app-context.js';
import { Ecg12Result } from '../ecg/Ecg12Result.js';
import '../ecg/twelve-lead.css';
import { asList } from '../format.js';
import { navigate } from '../router.js';

const HEART_AXES = ['NO_DATA', 'MID', 'LAD', 'RAD', 'ALAD', 'ARAD', 'AXL', 'AXR', 'SAG'];

function go(e: { preventDefault: () => void }, to: string): void {
  e.preventDefault();
  navigate(to);
}

/** A table of classifications with a link to open each successful one. */
export function Ecg12HistoryTable({
  records,
  showPatient = false,
}: {
  records: readonly Ecg12HistoryRecord[];
  showPatient?: boolean;
}): ReactNode {
  if (records.length === 0) return <p className="muted">No 12-lead ECG yet.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="ecg12-history">
        <thead>
          <tr>
            <th scope="col">When</th>
            {showPatient && <th scope="col">Patient</th>}
            <th scope="col">Result</th>
            <th scope="col">Samples</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.id}>
              <td>
                {r.success ? (
                  <a
                    href={`/ecg12/${r.id}`}
                    onClick={(e) => {
                      go(e, `/ecg12/${r.id}`);
                    }}
                  >
                    {new Date(r.created_at).toLocaleString()}
                  </a>
                ) : (
                  new Date(r.created_at).toLocaleString()
                )}
              </td>
              {showPatient && (
                <td>{r.patient_id ? <code>{r.patient_id.slice(0, 8)}</code> : '—'}</td>
              )}
              <td>
                {r.success
                  ? `${r.predicted_class_description ?? ''} (${r.predicted_class_name ?? ''})`
                  : `refused: ${r.error_code ?? ''}`}
              </td>
              <td>
                {r.n_samples ?? '—'} @ {r.sampling_rate_hz ?? '—'} Hz
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The patient page's card: that patient's 12-lead results, each opening the viewer. */
export function PatientEcg12List({ patientId }: { patientId: string }): ReactNode {
  const { api } = useServices();
  const { data, error } = useLoad(
    () =>
      api.get<Ecg12HistoryPage>(
        `/api/v1/patients/${encodeURIComponent(patientId)}/ecg12${query({ limit: 20 })}`,
      ),
    `ecg12:${patientId}`,
  );
  const newHref = `/ecg12?patient=${encodeURIComponent(patientId)}`;
  return (
    <section className="card" aria-labelledby="ecg12-list-title">
      <h2 id="ecg12-list-title">12-lead ECG</h2>
      {error && !data && <p role="alert">Could not load: {error}</p>}
      {data && <Ecg12HistoryTable records={data.records} />}
      <p>
        <a
          href={newHref}
          onClick={(e) => {
            go(e, newHref);
          }}
        >
          Classify a new 12-lead ECG
        </a>
      </p>
    </section>
  );
}

function UploadForm(): ReactNode {
  const { api } = useServices();
  const session = useSession();
  const isPatient = session?.user.role === 'patient';
  const { data: patients } = useLoad(
    async () =>
      isPatient ? [session.user] : asList<User>(await api.get<unknown>('/api/v1/users/patients')),
    'ecg12:patients',
  );
  const preset = new URLSearchParams(location.search).get('patient') ?? '';
  const [patientId, setPatientId] = useState(preset);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = patientId || (patients?.length === 1 ? (patients[0]?.id ?? '') : '');

  async function submit(e: SyntheticEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    setError(null);
    const form = new FormData(e.currentTarget);
    const files = form.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
    const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    setBusy(true);
    try {
      let result: Ecg12Classification;
      if (json) {
        const body = JSON.parse(await json.text()) as Record<string, unknown>;
        result = await api.post<Ecg12Classification>('/api/v1/ecg/classify', {
          ...body,
          patient_id: chosen,
        });
      } else {
        const upload = new FormData();
        for (const name of ['height', 'weight', 'age', 'sex', 'heart_axis']) {
          const v = form.get(name);
          if (typeof v === 'string' && v !== '') upload.set(name, v);
        }
        upload.set('patient_id', chosen);
        for (const f of files)
          upload.append(f.name.toLowerCase().endsWith('.hea') ? 'header' : 'data', f, f.name);
        result = await api.post<Ecg12Classification>('/api/v1/ecg/classify/record', upload);
      }
      navigate(`/ecg12/${result.id}`);
    } catch (err) {
      setError(
        err instanceof SyntaxError
          ? `The JSON file is not valid JSON: ${err.message}`
          : describeRequestError(err, 'The ECG could not be classified.'),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="ecg12-upload-title">
      <h2 id="ecg12-upload-title">Classify a 12-lead ECG</h2>
      <p className="muted">
        A record file — the <code>.hea</code> header with its <code>.mat</code> (PhysioNet/CinC) or{' '}
        <code>.dat</code> (WFDB, e.g. PTB-XL) — or a <code>.json</code> body of{' '}
        <code>POST /api/v1/ecg/classify</code> (5–60 s, 12 leads, mV; the standard 10 s). Age and
        sex default to the header&apos;s comments.
      </p>
      <form className="ecg12-form" onSubmit={(e) => void submit(e)}>
        <label>
          Patient
          <select
            name="patient"
            required
            value={chosen}
            onChange={(e) => {
              setPatientId(e.target.value);
            }}
          >
            <option value="">Choose…</option>
            {(patients ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Files (.hea + .mat/.dat, or .json)
          <input type="file" name="files" multiple required accept=".hea,.mat,.dat,.json" />
        </label>
        <label>
          Height (cm)
          <input type="number" name="height" min="30" max="300" step="any" defaultValue="170" />
        </label>
        <label>
          Weight (kg)
          <input type="number" name="weight" min="1" max="700" step="any" defaultValue="70" />
        </label>
        <label>
          Age (years; needed when the header has no # Age:)
          <input type="number" name="age" min="0" max="130" step="any" />
        </label>
        <label>
          Sex (needed when the header has no # Sex:)
          <select name="sex" defaultValue="">
            <option value="">From the header</option>
            <option value="0">Female</option>
            <option value="1">Male</option>
          </select>
        </label>
        <label>
          Heart axis
          <select name="heart_axis" defaultValue="NO_DATA">
            {HEART_AXES.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Classifying…' : 'Classify'}
        </button>
      </form>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

/** `/ecg12`: the upload form and the caller's recent classifications. */
export function Ecg12Page(): ReactNode {
  const { api } = useServices();
  const { data } = useLoad(
    () => api.get<Ecg12HistoryPage>(`/api/v1/ecg/history${query({ limit: 20 })}`),
    'ecg12:history',
  );
  return (
    <article aria-labelledby="ecg12-title">
      <h1 id="ecg12-title" tabIndex={-1}>
        12-lead ECG
      </h1>
      <UploadForm />
      <section className="card" aria-labelledby="ecg12-recent-title">
        <h2 id="ecg12-recent-title">Recent classifications</h2>
        {data ? (
          <Ecg12HistoryTable records={data.records} showPatient />
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
      </section>
    </article>
  );
}

/** `/ecg12/:id`: one stored classification. */
export function Ecg12ResultPage({ id }: { id: string }): ReactNode {
  const { api } = useServices();
  const { data, error } = useLoad(
    () => api.get<Ecg12StoredClassification>(`/api/v1/ecg/history/${encodeURIComponent(id)}`),
    `ecg12:${id}`,
  );
  const patientId = data?.record.patient_id;
  return (
    <article aria-labelledby="ecg12-result-title">
      <p>
        {patientId ? (
          <a
            href={`/patients/${patientId}`}
            onClick={(e) => {
              go(e, `/patients/${patientId}`);
            }}
          >
            ← Patient
          </a>
        ) : (
          <a
            href="/ecg12"
            onClick={(e) => {
              go(e, '/ecg12');
            }}
          >
            ← 12-lead ECG
          </a>
        )}
      </p>
      <h1 id="ecg12-result-title" tabIndex={-1}>
        12-lead ECG result
      </h1>
      {error && !data && <p role="alert">Could not load this ECG: {error}</p>}
      {!data && !error && <p aria-busy="true">Loading…</p>}
      {data && <Ecg12Result stored={data} />}
    </article>
  );
}
