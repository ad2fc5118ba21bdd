import { useState } from 'react';
import type { ReactNode, SyntheticEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useServices } from '../app-context.js';
import { navigate } from '../router.js';

export function LoginPage(): ReactNode {
  const { api } = useServices();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: SyntheticEvent<HTMLFormElement>): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    api.login(email.trim(), password).then(
      () => {
        navigate('/', true);
      },
      (err: unknown) => {
        setBusy(false);
        if (err instanceof ApiError && err.status === 429) {
          setError('Too many attempts. Wait a minute and try again.');
        } else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
          setError('Wrong email or password.');
        } else {
          setError('The server could not be reached.');
        }
      },
    );
  };

  return (
    <main id="main" className="login">
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <h1 tabIndex={-1}>♥ Vigil</h1>
        <p className="muted">Sign in to watch your patients.</p>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
          }}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
          }}
        />
        {error && (
          <p id="login-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
