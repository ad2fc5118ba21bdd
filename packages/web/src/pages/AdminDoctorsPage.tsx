import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import { describeRequestError } from '../api/client.js';
import type { User } from '../api/types.js';
import { useLoad, useServices } from '../app-context.js';
import { asList } from '../format.js';

const LABELS = { name: 'Name', email: 'Email', password: 'Initial password' } as const;

export function AdminDoctorsPage(): ReactNode {
  const { api } = useServices();
  const { data, error, reload } = useLoad(
    () => api.get<unknown>('/api/v1/users/doctors').then((b) => asList<User>(b)),
    'doctors',
  );
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [status, setStatus] = useState<string | null>(null);

  const submit = (e: SyntheticEvent<HTMLFormElement>): void => {
    e.preventDefault();
    setStatus(null);
    api.post<User>('/api/v1/users', { ...form, role: 'doctor' }).then(
      (u) => {
        setStatus(`Created ${u.name}.`);
        setForm({ name: '', email: '', password: '' });
        reload();
      },
      (err: unknown) => {
        setStatus(describeRequestError(err));
      },
    );
  };

  return (
    <section aria-labelledby="doctors-title">
      <h1 id="doctors-title" tabIndex={-1}>
        Doctors
      </h1>
      {error && <p role="alert">Could not load doctors: {error}</p>}
      <ul className="plain">
        {(data ?? []).map((d) => (
          <li key={d.id}>
            {d.name} <span className="muted">{d.email}</span>
          </li>
        ))}
      </ul>
      <form className="card form" onSubmit={submit}>
        <h2>Add a doctor</h2>
        {(['name', 'email', 'password'] as const).map((k) => (
          <div key={k}>
            <label htmlFor={`doc-${k}`}>{LABELS[k]}</label>
            <input
              id={`doc-${k}`}
              type={k === 'name' ? 'text' : k}
              autoComplete={k === 'password' ? 'new-password' : 'off'}
              required
              value={form[k]}
              onChange={(e) => {
                setForm({ ...form, [k]: e.target.value });
              }}
            />
          </div>
        ))}
        <button type="submit">Create doctor</button>
        <p role="status">{status}</p>
      </form>
    </section>
  );
}
