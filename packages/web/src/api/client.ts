/**
 * The HTTP side of the dashboard: JSON requests with the access token, one shared refresh when a
 * request gets 401, and the session kept in sessionStorage (a closed tab signs out).
 */
import type { LoginResponse, User } from './types.js';

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: User;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What a form shows for a failed request: the server's message and the field it names. */
export function describeRequestError(err: unknown, fallback = 'Failed.'): string {
  if (!(err instanceof ApiError)) return fallback;
  return err.field ? `${err.message} (${err.field})` : err.message;
}

const STORAGE_KEY = 'vigil.session';

/** Where the session is kept: the tab's sessionStorage in the browser. */
export type SessionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function readStored(storage: SessionStorage): Session | null {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export type SessionListener = (session: Session | null) => void;

export class ApiClient {
  private session: Session | null;
  private refreshing: Promise<boolean> | null = null;
  private readonly listeners = new Set<SessionListener>();

  constructor(
    private readonly baseUrl = '',
    private readonly storage: SessionStorage = sessionStorage,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    this.session = readStored(storage);
  }

  get current(): Session | null {
    return this.session;
  }

  onSession(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setSession(session: Session | null): void {
    this.session = session;
    if (session) this.storage.setItem(STORAGE_KEY, JSON.stringify(session));
    else this.storage.removeItem(STORAGE_KEY);
    for (const l of this.listeners) l(session);
  }

  async login(email: string, password: string): Promise<Session> {
    const res = await this.raw('POST', '/api/v1/auth/login', { email, password }, false);
    const body = (await res.json()) as LoginResponse;
    const session = {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      user: body.user,
    };
    this.setSession(session);
    return session;
  }

  logout(): void {
    this.setSession(null);
  }

  /** Refreshes the tokens once even if many requests failed at the same moment. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const session = this.session;
    if (!session) return false;
    const res = await this.fetchImpl(`${this.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refreshToken }),
    });
    if (!res.ok) {
      this.setSession(null);
      return false;
    }
    const body = (await res.json()) as LoginResponse;
    this.setSession({
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      user: body.user,
    });
    return true;
  }

  private async raw(method: string, path: string, body: unknown, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    // A FormData body (file upload) sets its own multipart content type.
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    if (body !== undefined && !form) headers['content-type'] = 'application/json';
    if (auth && this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
    const res = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? null : form ? body : JSON.stringify(body),
    });
    if (res.ok) return res;
    let code = 'HTTP_ERROR';
    let message = `${res.status} ${res.statusText}`;
    let field: string | undefined;
    try {
      const err = (await res.json()) as { code?: string; message?: string; field?: string };
      code = err.code ?? code;
      message = err.message ?? message;
      field = err.field;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message, field);
  }

  /** A request with the access token, retried once after a refresh when it gets 401. */
  private async authed(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await this.raw(method, path, body, true);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401 || !(await this.refresh())) throw err;
      return this.raw(method, path, body, true);
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.authed(method, path, body);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** A binary resource (e.g. a reading's audio clip), fetched with the access token. */
  async blob(path: string): Promise<Blob> {
    return (await this.authed('GET', path)).blob();
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
}

/** Builds a query string from defined values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
