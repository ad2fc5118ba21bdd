/**
 * What the dashboard's browser tests share: a server in this process on a free port with the
 * built dashboard, a fresh database (SQLite in memory, or a PostgreSQL schema of its own when
 * DATABASE_URL is set) and the demo clinic seeded through the services; and a headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createArgon2Hasher } from '../../../server/src/adapters/password-hasher.js';
import { buildApp } from '../../../server/src/app.js';
import { createContainer, type Container } from '../../../server/src/composition.js';
import { loadConfig } from '../../../server/src/config/env.js';
import { seedDemoClinic, type SeededClinic } from '../../../server/src/demo/demo-clinic.js';
import { onTestFailed } from 'vitest';
import { webPlugin } from '../../../server/src/transports/http/plugins/web.plugin.js';

export const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '../..');
export const repoRoot = resolve(webDir, '../..');
export const artifacts = join(repoRoot, 'artifacts');
export const hasChromium = existsSync(CHROMIUM);

/** Without Chromium a browser test is skipped locally and fails in CI (CI=true). */
export function requireChromiumInCi(): void {
  if (!hasChromium && process.env.CI === 'true') {
    throw new Error(
      `The dashboard browser test needs Chromium at ${CHROMIUM}: apt-get install -y chromium`,
    );
  }
}

/** Fresh passwords for the demo doctors and the admin, per test file. */
export function demoPasswords() {
  return {
    'doctor@vigil.local': `doc-${randomBytes(6).toString('hex')}-1`,
    'doctor2@vigil.local': `doc-${randomBytes(6).toString('hex')}-2`,
    'admin@vigil.test': `adm-${randomBytes(6).toString('hex')}-0`,
  };
}
export type DemoPasswords = ReturnType<typeof demoPasswords>;

/** True when dist/index.html is newer than every file under src/ and index.html. */
function isBuildFresh(): boolean {
  const built = join(webDir, 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const newest = (path: string): number => {
    const st = statSync(path);
    if (!st.isDirectory()) return st.mtimeMs;
    return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
  };
  return newest(join(webDir, 'src')) < builtAt && newest(join(webDir, 'index.html')) < builtAt;
}

/** The server serves packages/web/dist; builds it when missing or older than the sources. */
export function ensureDashboardBuilt(): void {
  if (isBuildFresh()) return;
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
}

export interface DashboardServer {
  container: Container;
  app: FastifyInstance;
  baseUrl: string;
  clinic: SeededClinic;
  /** An API access token of a demo user (signed in through the API). */
  apiToken(email: keyof DemoPasswords): Promise<string>;
  close(): Promise<void>;
}

/** Starts the server with the dashboard and seeds the demo clinic (no device runs yet). */
export async function startDashboardServer(passwords: DemoPasswords): Promise<DashboardServer> {
  ensureDashboardBuilt();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    MQTT_PORT: '0',
    DATABASE_URL: process.env.DATABASE_URL,
    ADMIN_EMAIL: 'admin@vigil.test',
    ADMIN_PASSWORD: passwords['admin@vigil.test'],
  });
  const container = await createContainer(config, {
    passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
    // Like the server's tests: SQLite in memory, or a PostgreSQL schema of its own when the
    // suite runs against DATABASE_URL.
    database:
      config.databaseUrl === undefined
        ? { sqlitePath: ':memory:' }
        : {
            pgSchema: `vigil_webtest_${randomBytes(6).toString('hex')}`,
            dropSchemaOnClose: true,
            maxConnections: 4,
          },
  });
  const app = await buildApp({ ...container, plugins: [webPlugin] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no server address');
  const clinic = await seedDemoClinic({
    users: container.services.users,
    devices: container.services.devices,
    passwords,
    patientPassword: `pat-${randomBytes(6).toString('hex')}-3`,
  });
  return {
    container,
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    clinic,
    async apiToken(email) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: passwords[email] },
      });
      return res.json<{ access_token: string }>().access_token;
    },
    async close() {
      await app.close();
      await container.close();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a profile of its own (removed on close); artifacts/ exists after. */
export async function launchBrowser(): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'vigil-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      // Media plays without a user gesture, as it does after a click in a real browser.
      '--autoplay-policy=no-user-gesture-required',
    ],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(artifacts, { recursive: true });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the patient list. */
export async function signIn(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /Patients/ }).waitFor();
}

/** Keeps a full-page screenshot of `page` in `artifacts/` when the running test fails. */
export function keepEvidence(page: Page, file: string): void {
  onTestFailed(async () => {
    await page.screenshot({ path: join(artifacts, file), fullPage: true }).catch(() => undefined);
  });
}
