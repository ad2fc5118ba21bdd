/** The composition root of the dashboard: one API client, one live store, one WebSocket. */
import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import { ApiClient, type Session } from './api/client.js';
import { LiveConnection } from './live/live-connection.js';
import { LiveStore } from './live/live-store.js';

export interface AppServices {
  api: ApiClient;
  store: LiveStore;
  live: LiveConnection;
}

export function createServices(): AppServices {
  const api = new ApiClient();
  const store = new LiveStore();
  return { api, store, live: new LiveConnection(api, store) };
}

const Ctx = createContext<AppServices | null>(null);

export function AppProvider({
  services,
  children,
}: {
  services: AppServices;
  children: ReactNode;
}): ReactNode {
  return <Ctx.Provider value={services}>{children}</Ctx.Provider>;
}

export function useServices(): AppServices {
  const s = useContext(Ctx);
  if (!s) throw new Error('useServices outside AppProvider');
  return s;
}

export function useSession(): Session | null {
  const { api } = useServices();
  const [session, setSession] = useState(api.current);
  useEffect(() => api.onSession(setSession), [api]);
  return session;
}

/** Re-renders on every live change and returns the store. */
export function useLive(): LiveStore {
  const { store } = useServices();
  useSyncExternalStore(store.subscribe, store.getVersion);
  return store;
}

/** Re-renders every `intervalMs`, so "5s ago" ages while no event arrives (a silent device). */
export function useTick(intervalMs: number): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      setTick((n) => n + 1);
    }, intervalMs);
    return () => {
      clearInterval(timer);
    };
  }, [intervalMs]);
}

/** Loads data once per `key`; `reload` re-runs it. */
export function useLoad<T>(
  load: () => Promise<T>,
  key: string,
): { data: T | undefined; error: string | null; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: string | null }>({
    data: undefined,
    error: null,
  });
  const [n, setN] = useState(0);
  useEffect(() => {
    let cancelled = false;
    load().then(
      (data) => {
        if (!cancelled) setState({ data, error: null });
      },
      (err: unknown) => {
        if (!cancelled)
          setState((s) => ({ data: s.data, error: err instanceof Error ? err.message : 'failed' }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, n]);
  return {
    ...state,
    reload: () => {
      setN((x) => x + 1);
    },
  };
}
