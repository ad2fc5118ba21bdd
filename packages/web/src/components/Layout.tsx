import type { ReactNode } from 'react';
import { useLive, useServices, useSession } from '../app-context.js';
import { navigate, usePath } from '../router.js';

function NavLink({ to, children }: { to: string; children: ReactNode }): ReactNode {
  const path = usePath();
  const current = to === '/' ? path === '/' : path.startsWith(to);
  return (
    <a
      href={to}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

const STATUS_TEXT = {
  idle: 'Offline',
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
} as const;

export function Layout({ children }: { children: ReactNode }): ReactNode {
  const session = useSession();
  const { api, live, store } = useServices();
  const { status } = useLive();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          ♥ Vigil
        </span>
        <nav aria-label="Main">
          <NavLink to="/">Patients</NavLink>
          <NavLink to="/ecg12">12-lead ECG</NavLink>
          {session?.user.role === 'admin' && (
            <>
              <NavLink to="/admin/doctors">Doctors</NavLink>
              <NavLink to="/admin/devices">Devices</NavLink>
            </>
          )}
        </nav>
        <span className={`conn conn-${status}`} data-testid="connection-status">
          {STATUS_TEXT[status]}
        </span>
        <span className="who">
          {session?.user.name}{' '}
          <button
            onClick={() => {
              live.stop();
              store.clear();
              api.logout();
              navigate('/login', true);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
