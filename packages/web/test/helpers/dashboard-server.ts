/**
 * Shared set-up of the dashboard's browser tests: Debian's Chromium through playwright-core, the
 * built dashboard (rebuilt when older than its sources), and a real server on a free port with a
 * fresh database (SQLite in memory, or a PostgreSQL schema of its own under DATABASE_URL) and the
 * demo clinic seeded through the services.
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
import { webPlugin } from '../../../server/src/transports/http/plugins/web.plugin.js';

export const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '../..');
export const repoRoot = resolve(webDir, '../..');
export const artifacts = join(repoRoot, 'artifacts');
export const hasChromium = existsSync(CHROMIUM);

/** Fails a CI run that has no Chromium; locally the browser tests are skipped instead. */
export function requireChromiumInCi(): void {
  if (!hasChromium && process.env.CI === 'true') {
    throw new Error(
      `The dashboard browser test needs Chromium at ${CHROMIUM}: apt-get install -y chromium`,
    );
  }
}

/** Demo-clinic passwords for one test run (random, so nothing guessable is ever seeded). */
export function demoPasswords() {
  return {
    'doctor@vigil.local': `doc-${randomBytes(6).toString('hex')}-1`,
    'doctor2@vigil.local': `doc-${randomBytes(6).toString('hex')}-2`,
    'admin@vigil.test': `adm-${randomBytes(6).toString('hex')}-0`,
  };
}
export type DemoPasswords = ReturnType<typeof demoPasswords>;

/** True when dist/index.html is newer than every file under src/ and index.html. */
export function isBuildFresh(): boolean {
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

/** The server serves packages/web/dist; build it when missing or older than the sources. */
export function ensureDashboardBuilt(): void {
  if (!isBuildFresh()) {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
      cwd: webDir,
      stdio: 'inherit',
    });
  }
}

export interface DashboardServer {
  container: Container;
  app: FastifyInstance;
  baseUrl: string;
  clinic: SeededClinic;
  close(): Promise<void>;
}

/** A listening server with the dashboard and the seeded demo clinic. */
export async function startDashboardServer(passwords: DemoPasswords): Promise<DashboardServer> {
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

/** Headless Chromium with a throw-away profile, 1280 × 900. */
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

/** Signs in on the login page and waits for the patient list. */
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
