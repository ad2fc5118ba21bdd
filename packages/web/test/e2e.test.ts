/**
 * Browser test of the dashboard against a real server: playwright-core drives Debian's Chromium
 * (`apt-get install -y chromium`). The server runs in this process on a free port with the built
 * dashboard, a fresh SQLite database and the demo clinic seeded through the services; simulated
 * devices (@vigil/sim) post packets over HTTP, so the real ingest path feeds the page.
 *
 * Without /usr/bin/chromium the test is skipped locally and fails in CI (CI=true).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SeededClinic } from '../../server/src/demo/demo-clinic.js';
import { startDemoFleet, type DemoFleet } from '../../server/src/demo/demo-fleet.js';
import {
  artifacts,
  type Browser,
  type DashboardServer,
  demoPasswords,
  hasChromium,
  keepEvidence,
  launchBrowser,
  requireChromiumInCi,
  signIn as signInAs,
  startDashboardServer,
} from './helpers/dashboard-server.js';

requireChromiumInCi();
const PASSWORDS = demoPasswords();

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let server: DashboardServer;
  let app: FastifyInstance;
  let baseUrl: string;
  let clinic: SeededClinic;
  const fleets: DemoFleet[] = [];
  let browser: Browser;
  let context: BrowserContext;
  let doctorPage: Page | undefined;

  beforeAll(async () => {
    server = await startDashboardServer(PASSWORDS);
    ({ app, baseUrl, clinic } = server);
    // Everyone but the tachycardia patient streams from the start; Ben's device starts once the
    // doctor is watching, so his alert arrives live on the page.
    fleets.push(
      startDemoFleet({
        baseUrl,
        devices: clinic.devices.filter((d) => d.scenario !== 'tachycardia'),
        log: app.log,
      }),
    );
    browser = await launchBrowser();
    context = browser.context;
  }, 120_000);

  afterEach(async () => {
    await context.setOffline(false); // a failed reconnection test must not leave the browser offline
  });

  afterAll(async () => {
    await browser.close();
    for (const f of fleets) await f.close();
    await server.close();
  });

  async function signIn(page: Page, email: keyof typeof PASSWORDS): Promise<void> {
    await signInAs(page, baseUrl, email, PASSWORDS[email]);
  }

  /** On failure, a screenshot of the page goes to artifacts/ for whoever reads the CI run. */
  function apiToken(email: keyof typeof PASSWORDS): Promise<string> {
    return server.apiToken(email);
  }

  function rowOf(page: Page, name: string) {
    return page.getByTestId('patient-row').filter({ hasText: name });
  }

  it('shows a doctor their patients live, raises an alert as a toast and acknowledges it', async () => {
    const page = await context.newPage();
    keepEvidence(page, 'e2e-failure-doctor.png');
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));

    await signIn(page, 'doctor@vigil.local');
    await expect
      .poll(async () => (await page.getByTestId('patient-row').allInnerTexts()).length)
      .toBe(3);
    const names = await page.locator('[data-testid=patient-row] th').allInnerTexts();
    expect(names.sort()).toEqual(['Ada Lovelace', 'Ben Carter', 'Chloe Diaz']);
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();
    // Live values arrive over the WebSocket: Ada's heart rate appears without a reload.
    await expect
      .poll(async () => rowOf(page, 'Ada Lovelace').locator('td').first().innerText(), {
        timeout: 20_000,
      })
      .toMatch(/\d+\s*bpm/);
    await page.screenshot({ path: join(artifacts, 'e2e-patient-list.png'), fullPage: true });

    // Ben's device starts now: sinus tachycardia at 140 bpm crosses HR > 130. His doctor shortens
    // the rule's hold time from the default 30 s to 5 s (per-patient thresholds) to keep this fast,
    // and turns off the risk-score rules: on a loaded machine the toast can take most of a minute,
    // by which time risk_elevated (60 s of an elevated score) opened a second alert ("2 open").
    const ben = clinic.doctors[0]?.patients.find((p) => p.name === 'Ben Carter');
    const rules = await app.inject({
      method: 'PUT',
      url: `/api/v1/patients/${ben?.id ?? ''}/alert-rules`,
      headers: { authorization: `Bearer ${await apiToken('doctor@vigil.local')}` },
      payload: {
        rules: [
          { kind: 'hr_high', enabled: true, threshold: 130, duration_s: 5, severity: 'warning' },
          {
            kind: 'risk_elevated',
            enabled: false,
            threshold: null,
            duration_s: 60,
            severity: 'warning',
          },
          {
            kind: 'risk_high',
            enabled: false,
            threshold: null,
            duration_s: 0,
            severity: 'critical',
          },
        ],
      },
    });
    expect(rules.statusCode).toBe(200);
    fleets.push(
      startDemoFleet({
        baseUrl,
        devices: clinic.devices.filter((d) => d.scenario === 'tachycardia'),
        log: app.log,
      }),
    );
    const toast = page.getByTestId('alert-toast').filter({ hasText: /HR/ });
    await toast.first().waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => rowOf(page, 'Ben Carter').getByTestId('open-alerts').innerText())
      .toMatch(/1 open, 1 unacknowledged/);
    // The most urgent patient is listed first.
    expect(await page.locator('[data-testid=patient-row] th').first().innerText()).toBe(
      'Ben Carter',
    );

    // Patient view: the ECG strip scrolls.
    await rowOf(page, 'Ben Carter').getByRole('link', { name: 'Ben Carter' }).click();
    await page.getByRole('heading', { name: 'Ben Carter' }).waitFor();
    const strip = page.getByRole('img', { name: 'Live ECG strip of Ben Carter' });
    await strip.waitFor();
    await page.waitForTimeout(1500); // let a packet or two arrive on the strip
    const first = await strip.screenshot();
    await page.waitForTimeout(1000);
    const second = await strip.screenshot();
    expect(Buffer.compare(first, second)).not.toBe(0);
    await page.screenshot({ path: join(artifacts, 'e2e-patient-view.png'), fullPage: true });

    // Acknowledge in the patient's alert list; the list page updates without a reload.
    const item = page.getByTestId('alert-item').filter({ hasText: /HR/ }).first();
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item
      .getByTestId('alert-ack-state')
      .filter({ hasText: /^acknowledged$/ })
      .waitFor();

    // Per-patient alert rules: the 5 s override shows as this patient's, and an edit is saved.
    await page.getByText('Alert rules', { exact: true }).click();
    await page.getByLabel('hr_low hold time in seconds', { exact: true }).fill('10');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Alert rules saved.').waitFor();
    const saved = await app.inject({
      url: `/api/v1/patients/${ben?.id ?? ''}/alert-rules`,
      headers: { authorization: `Bearer ${await apiToken('doctor@vigil.local')}` },
    });
    const savedRules = saved.json<{
      rules: { kind: string; duration_s: number; source: string }[];
    }>();
    expect(savedRules.rules.find((r) => r.kind === 'hr_low')).toMatchObject({
      duration_s: 10,
      source: 'patient',
    });
    expect(savedRules.rules.find((r) => r.kind === 'hr_high')).toMatchObject({
      duration_s: 5,
      source: 'patient',
    });

    await page.getByRole('link', { name: '← All patients' }).click();
    await expect
      .poll(async () => rowOf(page, 'Ben Carter').getByTestId('open-alerts').innerText())
      .toMatch(/all acknowledged/);
    expect(consoleErrors).toEqual([]);
    doctorPage = page;
  }, 180_000);

  it('reconnects by itself and catches up on the alert events it missed', async () => {
    const page = doctorPage;
    if (!page) throw new Error('needs the previous test');
    keepEvidence(page, 'e2e-failure-reconnect.png');
    // Ben's device stops, so nothing re-opens the alert once it is resolved.
    await fleets.pop()?.close();
    // Offline emulation blocks new connections but leaves open sockets alone, so the server
    // also drops the open ones: together, a network outage.
    await context.setOffline(true);
    for (const client of app.websocketServer.clients) client.terminate();
    await page
      .getByTestId('connection-status')
      .filter({ hasText: /Reconnecting/ })
      .waitFor();
    // While the page is offline, someone else resolves Ben's alert.
    const token = await apiToken('doctor@vigil.local');
    const list = await app.inject({
      url: '/api/v1/alerts?state=active',
      headers: { authorization: `Bearer ${token}` },
    });
    const open = list.json<{ items: { id: string; patient_id: string }[] }>().items;
    const benId = clinic.doctors[0]?.patients.find((p) => p.name === 'Ben Carter')?.id;
    const alert = open.find((a) => a.patient_id === benId);
    expect(alert).toBeDefined();
    const resolved = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alert?.id ?? ''}/resolve`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(resolved.statusCode).toBe(200);
    // Wait past a failed retry or two, so the page really has to reconnect.
    await page.waitForTimeout(1000);
    await context.setOffline(false);
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor({
      timeout: 30_000,
    });
    await expect
      .poll(async () => rowOf(page, 'Ben Carter').getByTestId('open-alerts').innerText(), {
        timeout: 15_000,
      })
      .toBe('none');
    await page.close();
  }, 90_000);

  it("does not show one doctor's patients to another doctor", async () => {
    const page = await context.newPage(); // a new tab: its own sessionStorage, so its own session
    keepEvidence(page, 'e2e-failure-doctor2.png');
    await signIn(page, 'doctor2@vigil.local');
    await expect
      .poll(async () => (await page.locator('[data-testid=patient-row] th').allInnerTexts()).sort())
      .toEqual(['Dan Evans', 'Eve Moreno', 'Mia Evans']);
    const text = await page.locator('main').innerText();
    for (const name of ['Ada Lovelace', 'Ben Carter', 'Chloe Diaz'])
      expect(text).not.toContain(name);
    await page.close();
  }, 60_000);

  it("shows a patient their alerts without the clinicians' Acknowledge and Resolve", async () => {
    const doctor = clinic.doctors.find((d) => d.email === 'doctor@vigil.local');
    const patient = doctor?.patients.find((p) => p.name === 'Ada Lovelace');
    if (!doctor || !patient) throw new Error('demo clinic without Ada Lovelace');
    const doctorToken = await apiToken('doctor@vigil.local');
    const auth = { authorization: `Bearer ${doctorToken}` };
    const password = 'patient-e2e-Passw0rd';
    const set = await app.inject({
      method: 'PUT',
      url: `/api/v1/users/${patient.id}`,
      headers: auth,
      payload: { password },
    });
    expect(set.statusCode).toBe(200);
    // A doctor's manual alert (seed 004): an open, unacknowledged alert whatever the devices do.
    const made = await app.inject({
      method: 'POST',
      url: '/api/alerts',
      headers: auth,
      payload: { patient_id: patient.id, message: 'Call the clinic', severity: 'warning' },
    });
    expect(made.statusCode).toBe(200);
    const page = await context.newPage();
    keepEvidence(page, 'e2e-failure-patient.png');
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('Email').fill(patient.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const item = page.getByTestId('alert-item').filter({ hasText: 'Call the clinic' });
    await item.waitFor();
    // The API answers a patient's acknowledge or resolve 403: the buttons would only fail.
    expect(await item.getByRole('button').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('lets an admin register a device and shows its key once', async () => {
    const page = await context.newPage();
    keepEvidence(page, 'e2e-failure-admin.png');
    await signIn(page, 'admin@vigil.test');
    // An admin sees every patient.
    await expect.poll(async () => page.getByTestId('patient-row').count()).toBe(6);
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices', level: 1 }).waitFor();
    await page.getByLabel('Device id').fill('ESP32-E2E-01');
    await page.getByLabel('Patient (optional)').selectOption({ label: 'Ada Lovelace' });
    await page.getByRole('button', { name: 'Register' }).click();
    const key = await page.getByTestId('device-key').innerText();
    expect(key.length).toBeGreaterThanOrEqual(20);
    await page.getByRole('cell', { name: 'Ada Lovelace' }).first().waitFor();
    // The key works for the new device: a packet posted with it is accepted.
    const res = await fetch(`${baseUrl}/api/v1/vitals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({
        device_id: 'ESP32-E2E-01',
        timestamp: Date.now(),
        ecg_samples: Array.from({ length: 250 }, () => 0),
        heart_rate_bpm: 70,
        spo2_percent: 98,
      }),
    });
    expect(res.status).toBeLessThan(300);

    // Doctors page: the two demo doctors are listed and a new one can be created.
    await page.getByRole('link', { name: 'Doctors' }).click();
    await page.getByText('doctor2@vigil.local').waitFor();
    await page.getByLabel('Name').fill('Dr. Mary Seacole');
    await page.getByLabel('Email').fill('mary@vigil.test');
    await page.getByLabel('Initial password').fill('seacole-1857');
    await page.getByRole('button', { name: 'Create doctor' }).click();
    await page.getByText('mary@vigil.test').waitFor();
    await page.close();
  }, 60_000);

  it('fits a phone-sized screen without horizontal scrolling', async () => {
    const page = await context.newPage();
    keepEvidence(page, 'e2e-failure-phone.png');
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, 'doctor@vigil.local');
    await expect.poll(async () => page.getByTestId('patient-row').count()).toBe(3);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(artifacts, 'e2e-phone-list.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
