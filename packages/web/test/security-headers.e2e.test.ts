/**
 * The dashboard and /docs under the server's Content-Security-Policy, in Chromium: no page
 * breaks a directive (Chromium reports each refusal on the console), the live WebSocket
 * connects with first-message authentication, and the favicon is served. Builds the dashboard
 * when dist/ is missing, like e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgon2Hasher } from '../../server/src/adapters/password-hasher.js';
import { buildApp } from '../../server/src/app.js';
import { createContainer, type Container } from '../../server/src/composition.js';
import { loadConfig } from '../../server/src/config/env.js';
import { seedDemoClinic } from '../../server/src/demo/demo-clinic.js';
import { startDemoFleet, type DemoFleet } from '../../server/src/demo/demo-fleet.js';
import { webPlugin } from '../../server/src/transports/http/plugins/web.plugin.js';

const CHROMIUM = '/usr/bin/chromium';
const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hasChromium = existsSync(CHROMIUM);
const DOCTOR = 'doctor@vigil.local';
const PASSWORD = `doc-${randomBytes(6).toString('hex')}-1`;

describe.skipIf(!hasChromium)('security headers in Chromium', () => {
  let container: Container;
  let app: FastifyInstance;
  let baseUrl: string;
  let fleet: DemoFleet;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    if (!existsSync(join(webDir, 'dist', 'index.html')))
      execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: webDir });
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
      MQTT_PORT: '0',
      DATABASE_URL: process.env.DATABASE_URL,
    });
    container = await createContainer(config, {
      passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
      database:
        config.databaseUrl === undefined
          ? { sqlitePath: ':memory:' }
          : {
              pgSchema: `vigil_csptest_${randomBytes(6).toString('hex')}`,
              dropSchemaOnClose: true,
              maxConnections: 4,
            },
    });
    app = await buildApp({ ...container, plugins: [webPlugin] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no server address');
    baseUrl = `http://127.0.0.1:${String(address.port)}`;
    const clinic = await seedDemoClinic({
      users: container.services.users,
      devices: container.services.devices,
      passwords: {
        [DOCTOR]: PASSWORD,
        'doctor2@vigil.local': `doc-${randomBytes(6).toString('hex')}-2`,
        'admin@vigil.test': `adm-${randomBytes(6).toString('hex')}-0`,
      },
      patientPassword: `pat-${randomBytes(6).toString('hex')}-3`,
    });
    fleet = startDemoFleet({ baseUrl, devices: clinic.devices, log: app.log });
    userDataDir = mkdtempSync(join(tmpdir(), 'vigil-csp-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await context.close().catch(() => undefined);
    await fleet.close();
    await app.close();
    await container.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Every CSP refusal Chromium reports on the page's console. */
  function violations(page: Page): string[] {
    const found: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) found.push(m.text());
    });
    return found;
  }

  it('runs the dashboard (sign-in, live list, patient page with charts) without a CSP refusal', async () => {
    const page = await context.newPage();
    const refused = violations(page);
    const response = await page.goto(`${baseUrl}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    await page.getByLabel('Email').fill(DOCTOR);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Patients/ }).waitFor();
    // Live: the WebSocket connected (same origin under connect-src 'self') and authenticated.
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.getByRole('img', { name: 'Live ECG strip of Ada Lovelace' }).waitFor();
    await page.waitForTimeout(1500); // charts draw as packets arrive
    expect(refused).toEqual([]);
    await page.close();
  }, 90_000);

  it('serves the API docs (Swagger UI) under the same policy', async () => {
    const page = await context.newPage();
    const refused = violations(page);
    await page.goto(`${baseUrl}/docs`);
    await page.getByText('Vigil API').first().waitFor({ timeout: 30_000 });
    expect(refused).toEqual([]);
    await page.close();
  }, 60_000);

  it("answers /favicon.ico with the dashboard's icon", async () => {
    const res = await fetch(`${baseUrl}/favicon.ico`);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // ICO header: reserved 0, type 1 (icon), one image.
    expect([...bytes.subarray(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]);
  });
});
