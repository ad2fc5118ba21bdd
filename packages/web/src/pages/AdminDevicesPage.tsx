import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import { describeRequestError } from '../api/client.js';
import type { Device, DeviceRegistered, User } from '../api/types.js';
import { useLoad, useServices } from '../app-context.js';
import { LastSeen } from '../components/LastSeen.js';
import { asList } from '../format.js';

export function AdminDevicesPage(): ReactNode {
  const { api } = useServices();
  const { data, error, reload } = useLoad(
    () =>
      Promise.all([
        api.get<unknown>('/api/v1/devices').then((b) => asList<Device>(b)),
        api.get<unknown>('/api/v1/users/patients').then((b) => asList<User>(b)),
      ]),
    'devices',
  );
  const [form, setForm] = useState({ device_id: '', name: '', patient_id: '' });
  const [created, setCreated] = useState<DeviceRegistered | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [devices, patients] = data ?? [[], []];
  const patientName = new Map(patients.map((p) => [p.id, p.name]));

  const submit = (e: SyntheticEvent<HTMLFormElement>): void => {
    e.preventDefault();
    setStatus(null);
    setCreated(null);
    api
      .post<DeviceRegistered>('/api/v1/devices/register', {
        device_id: form.device_id.trim(),
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(form.patient_id ? { patient_id: form.patient_id } : {}),
      })
      .then(
        (res) => {
          setCreated(res);
          setForm({ device_id: '', name: '', patient_id: '' });
          reload();
        },
        (err: unknown) => {
          setStatus(describeRequestError(err));
        },
      );
  };

  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title" tabIndex={-1}>
        Devices
      </h1>
      {error && <p role="alert">Could not load devices: {error}</p>}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Name</th>
              <th scope="col">Patient</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.device_id}>
                <th scope="row">
                  <code>{d.device_id}</code>
                </th>
                <td>{d.name ?? '—'}</td>
                <td>{d.patient_id ? (patientName.get(d.patient_id) ?? d.patient_id) : '—'}</td>
                <td>
                  <LastSeen deviceId={d.device_id} storedIso={d.last_seen_at} never="never" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="card form" onSubmit={submit}>
        <h2>Register a device</h2>
        <label htmlFor="dev-id">Device id</label>
        <input
          id="dev-id"
          required
          pattern="[A-Za-z0-9_.:\-]{1,64}"
          value={form.device_id}
          onChange={(e) => {
            setForm({ ...form, device_id: e.target.value });
          }}
        />
        <label htmlFor="dev-name">Name (optional)</label>
        <input
          id="dev-name"
          value={form.name}
          onChange={(e) => {
            setForm({ ...form, name: e.target.value });
          }}
        />
        <label htmlFor="dev-patient">Patient (optional)</label>
        <select
          id="dev-patient"
          value={form.patient_id}
          onChange={(e) => {
            setForm({ ...form, patient_id: e.target.value });
          }}
        >
          <option value="">— none —</option>
          {patients.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <button type="submit">Register</button>
        <p role="status">{status}</p>
      </form>
      {created && (
        <div className="card key-once" role="alert">
          <h2>API key for {created.device_id}</h2>
          <p>
            Copy it now: it is shown only once and stored hashed. The device sends it as the{' '}
            <code>X-API-Key</code> header.
          </p>
          <output data-testid="device-key">
            <code>{created.api_key}</code>
          </output>{' '}
          <button
            onClick={() => {
              void navigator.clipboard.writeText(created.api_key);
            }}
          >
            Copy
          </button>
        </div>
      )}
    </section>
  );
}
