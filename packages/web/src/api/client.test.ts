import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, describeRequestError, type SessionStorage } from './client.js';

class MemoryStorage implements SessionStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const user = { id: 'u1', email: 'doc@vigil.test', name: 'Doc', role: 'doctor' };
const tokens = (n: number) => ({
  access_token: `access-${n}`,
  token_type: 'bearer',
  expires_in: 1800,
  refresh_token: `refresh-${n}`,
  user,
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake server: `access-2` is the only valid token once refreshed; counts refreshes. */
function fakeServer(refreshOk = true) {
  const calls = { refresh: 0, authHeaders: [] as (string | null)[] };
  const fetchImpl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    if (url.endsWith('/api/v1/auth/login')) return Promise.resolve(json(200, tokens(1)));
    if (url.endsWith('/api/v1/auth/refresh')) {
      calls.refresh++;
      return Promise.resolve(
        refreshOk
          ? json(200, tokens(2))
          : json(401, { code: 'TOKEN_INVALID', message: 'refresh token reused', statusCode: 401 }),
      );
    }
    calls.authHeaders.push(headers.get('authorization'));
    return Promise.resolve(
      headers.get('authorization') === 'Bearer access-2'
        ? json(200, { ok: true })
        : json(401, { code: 'TOKEN_EXPIRED', message: 'expired', statusCode: 401 }),
    );
  };
  return { calls, fetchImpl };
}

describe('ApiClient', () => {
  it('keeps the session in the tab storage after sign-in', async () => {
    const storage = new MemoryStorage();
    const { fetchImpl } = fakeServer();
    const api = new ApiClient('', storage, fetchImpl);
    await api.login('doc@vigil.test', 'pw');
    expect(new ApiClient('', storage, fetchImpl).current?.user.email).toBe('doc@vigil.test');
  });

  it('refreshes an expired access token once for concurrent requests and retries them', async () => {
    const { calls, fetchImpl } = fakeServer();
    const api = new ApiClient('', new MemoryStorage(), fetchImpl);
    await api.login('doc@vigil.test', 'pw');
    const results = await Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(calls.refresh).toBe(1);
    expect(api.current?.refreshToken).toBe('refresh-2');
  });

  it('fetches a binary resource with the token, refreshing it first when expired', async () => {
    const { calls, fetchImpl } = fakeServer();
    const api = new ApiClient('', new MemoryStorage(), fetchImpl);
    await api.login('doc@vigil.test', 'pw');
    const blob = await api.blob('/api/v1/readings/r1/audio');
    expect(await blob.text()).toBe('{"ok":true}');
    expect(calls.authHeaders).toEqual(['Bearer access-1', 'Bearer access-2']);
  });

  it('signs out when the refresh token is refused', async () => {
    const { fetchImpl } = fakeServer(false);
    const api = new ApiClient('', new MemoryStorage(), fetchImpl);
    const seen: (string | null)[] = [];
    api.onSession((s) => seen.push(s?.user.email ?? null));
    await api.login('doc@vigil.test', 'pw');
    await expect(api.get('/a')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(api.current).toBeNull();
    expect(seen).toEqual(['doc@vigil.test', null]);
  });

  it('reports the error code and field of a rejected request', async () => {
    const fetchImpl: typeof fetch = () =>
      Promise.resolve(
        json(400, {
          code: 'WEAK_PASSWORD',
          message: 'too short',
          field: 'password',
          statusCode: 400,
        }),
      );
    const api = new ApiClient('', new MemoryStorage(), fetchImpl);
    const error = await api.post('/api/v1/users', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'WEAK_PASSWORD', field: 'password' });
  });
});

describe('describeRequestError', () => {
  it('names the field the server rejected, and falls back for anything else', () => {
    expect(
      describeRequestError(new ApiError(400, 'WEAK_PASSWORD', 'Password too short', 'password')),
    ).toBe('Password too short (password)');
    expect(describeRequestError(new ApiError(409, 'EMAIL_TAKEN', 'Email already registered'))).toBe(
      'Email already registered',
    );
    expect(describeRequestError(new TypeError('network'), 'Save failed.')).toBe('Save failed.');
  });
});
