import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createDoctor, createTestApp, type TestApp } from '../helpers/index.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('operations endpoints', () => {
  it('answers liveness and readiness with the database dialect', async () => {
    t = await createTestApp();
    expect((await t.app.inject('/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      database: process.env.DATABASE_URL === undefined ? 'sqlite' : 'postgres',
    });
  });

  it('reports not ready with 503 when the database is gone', async () => {
    t = await createTestApp();
    await t.container.database.close();
    const ready = await t.app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', statusCode: 503 });
    expect((await t.app.inject('/health')).statusCode).toBe(200);
  });

  it('counts requests and latency by route pattern, not raw URL', async () => {
    t = await createTestApp();
    await t.app.inject('/api/v1/users/3f0c1d7e-1b7a-4c54-9a51-0d5e4c1e2a11');
    await t.app.inject('/health');
    const metrics = await t.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain(
      'http_requests_total{method="GET",route="/api/v1/users/:id",status_code="401"} 1',
    );
    expect(metrics.body).toContain(
      'http_requests_total{method="GET",route="/health",status_code="200"} 1',
    );
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1/,
    );
    expect(metrics.body).not.toContain('3f0c1d7e');
  });

  it('serves Swagger UI at /docs', async () => {
    t = await createTestApp();
    const docs = await t.app.inject('/docs');
    const page = docs.statusCode === 302 ? await t.app.inject(String(docs.headers.location)) : docs;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
}

describe('OpenAPI document', () => {
  const expected = [
    'GET /health',
    'GET /ready',
    'GET /metrics',
    'POST /api/v1/auth/register',
    'POST /api/v1/auth/login',
    'POST /api/v1/auth/token',
    'POST /api/v1/auth/refresh',
    'POST /api/v1/auth/logout',
    'GET /api/v1/auth/me',
    'PUT /api/v1/auth/profile',
    'POST /api/v1/users',
    'GET /api/v1/users/doctors',
    'GET /api/v1/users/admins',
    'GET /api/v1/users/patients',
    'GET /api/v1/users/{id}',
    'PUT /api/v1/users/{id}',
    'DELETE /api/v1/users/{id}',
    'POST /api/v1/devices/register',
    'GET /api/v1/devices',
    'GET /api/v1/devices/{id}',
    'PUT /api/v1/devices/{id}',
    'POST /api/v1/devices/{id}/rotate-key',
    'DELETE /api/v1/devices/{id}',
  ];

  async function document(app: FastifyInstance) {
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    return response.json<{ openapi: string; paths: Record<string, Record<string, Operation>> }>();
  }

  it('lists every identity, device and operations route', async () => {
    t = await createTestApp();
    const doc = await document(t.app);
    expect(doc.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of expected) expect(listed).toContain(route);
  });

  it('declares request and response schemas for each of them', async () => {
    t = await createTestApp();
    const doc = await document(t.app);
    for (const route of expected) {
      const [method, path] = route.split(' ') as [string, string];
      const op = doc.paths[path]?.[method.toLowerCase()];
      expect(op, route).toBeDefined();
      if (op === undefined) continue;
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
      expect(success, `${route} has a success response`).toBeDefined();
      if (success !== '204') {
        expect(op.responses[success ?? '']?.content, `${route} response schema`).toBeDefined();
      }
      if (['POST', 'PUT'].includes(method) && !route.endsWith('rotate-key')) {
        expect(op.requestBody?.content, `${route} request schema`).toBeDefined();
      }
      if (path.includes('{id}')) {
        expect(
          op.parameters?.some((p) => p.in === 'path' && p.name === 'id'),
          route,
        ).toBe(true);
      }
    }
    const login = doc.paths['/api/v1/auth/login']?.post;
    expect(Object.keys(login?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(doc.paths['/api/v1/users/{id}']?.get?.security).toEqual([{ bearerAuth: [] }]);
  });

  it('never exposes a password or hash field in any response schema', async () => {
    t = await createTestApp();
    const doc = await document(t.app);
    const responses = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((op) => JSON.stringify(op.responses)),
    );
    for (const r of responses)
      expect(r).not.toMatch(/"(password|password_hash|api_key_hash|token_hash)"/);
  });
});

describe('error handling', () => {
  it('answers an unknown route with ROUTE_NOT_FOUND', async () => {
    t = await createTestApp();
    const response = await t.app.inject('/api/v1/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND', statusCode: 404 });
  });

  it('answers malformed JSON with 400 MALFORMED_REQUEST', async () => {
    t = await createTestApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'MALFORMED_REQUEST', statusCode: 400 });
  });

  it('answers an unsupported content type with 415', async () => {
    t = await createTestApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('hides the internals of a 500 and logs them with the request id', async () => {
    const lines: string[] = [];
    t = await createTestApp({
      env: { LOG_LEVEL: 'info' },
      logStream: { write: (line: string) => lines.push(line) },
      plugins: [
        (app, _options, done) => {
          app.get('/boom', async () => {
            await Promise.resolve();
            throw new Error('connection to db-primary:5432 failed, password=hunter2');
          });
          done();
        },
      ],
    });
    const response = await t.app.inject({ url: '/boom', headers: { 'x-request-id': 'req-123' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      statusCode: 500,
      detail: 'Internal server error',
    });
    expect(response.headers['x-request-id']).toBe('req-123');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const error = logged.find((l) => l.level === 50);
    expect(error).toMatchObject({ reqId: 'req-123', code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(error)).toContain('hunter2');
  });

  it('never logs bearer tokens or device keys', async () => {
    const lines: string[] = [];
    t = await createTestApp({
      env: { LOG_LEVEL: 'trace' },
      logStream: { write: (line: string) => lines.push(line) },
    });
    const doctor = await createDoctor(t);
    await t.app.inject({ url: '/api/v1/auth/me', headers: doctor.headers });
    await t.app.inject({
      url: '/api/v1/devices',
      headers: { 'x-api-key': 'vgl_secret-key-value' },
    });
    const all = lines.join('\n');
    expect(all).not.toContain(doctor.token);
    expect(all).not.toContain('vgl_secret-key-value');
  });
});
