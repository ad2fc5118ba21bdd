import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_DIST, webPlugin } from './web.plugin.js';

let dir: string;
let app: FastifyInstance;

async function build(distDir: string): Promise<FastifyInstance> {
  const a = Fastify();
  a.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'ROUTE_NOT_FOUND' }));
  a.get('/api/v1/ping', () => ({ ok: true }));
  a.get('/health', () => ({ status: 'ok' }));
  await a.register(webPlugin, { distDir });
  await a.ready();
  return a;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
});

afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web plugin, built dashboard', () => {
  beforeEach(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    app = await build(dir);
  });

  it('serves index.html at / with no-cache', async () => {
    const res = await app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>Vigil</title>');
  });

  it('serves hashed assets as immutable for a year', async () => {
    const res = await app.inject('/assets/index-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.body).toBe('console.log(1)');
  });

  it('gives other files a short cache', async () => {
    const res = await app.inject('/favicon.svg');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers a client-side route with index.html', async () => {
    const res = await app.inject('/patients/0b6c8a9e-1111-4f00-8000-000000000000');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<title>Vigil</title>');
  });

  it('does not shadow API, docs or operations paths', async () => {
    for (const path of [
      '/api/v1/nope',
      '/docs/x',
      '/metrics',
      '/ready',
      '/openapi.json',
      '/fhir/R4/x',
    ]) {
      const res = await app.inject(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.json(), path).toEqual({ code: 'ROUTE_NOT_FOUND' });
    }
    expect((await app.inject('/api/v1/ping')).json()).toEqual({ ok: true });
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
  });

  it('answers a missing asset with 404, not index.html', async () => {
    const res = await app.inject('/assets/index-old999.js');
    expect(res.statusCode).toBe(404);
  });
});

describe('web plugin, dashboard not built', () => {
  it('explains how to build it instead of failing', async () => {
    app = await build(join(dir, 'missing'));
    const res = await app.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build -w @vigil/web');
    expect((await app.inject('/health')).statusCode).toBe(200);
  });
});

describe('DEFAULT_WEB_DIST', () => {
  it("is the web package's build folder of this repository, wherever this file sits", () => {
    const repoRoot = fileURLToPath(new URL('../../../../../../', import.meta.url));
    expect(DEFAULT_WEB_DIST).toBe(join(repoRoot, 'packages', 'web', 'dist'));
  });
});
