/**
 * Browser test of clinical reports on the dashboard: a demo doctor opens their
 * patient's page, builds a report of the last 7 days from the packets the patient's device sent,
 * sees its figures, finds it in the patient's list, downloads the PDF and finalises it.
 *
 * Without /usr/bin/chromium the test is skipped locally and fails in CI (CI=true).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifacts,
  type Browser,
  type DashboardServer,
  demoPasswords,
  hasChromium,
  keepEvidence,
  launchBrowser,
  requireChromiumInCi,
  signIn,
  startDashboardServer,
} from './helpers/dashboard-server.js';

requireChromiumInCi();
const PASSWORDS = demoPasswords();

describe.skipIf(!hasChromium)('reports on the dashboard, in Chromium', () => {
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startDashboardServer(PASSWORDS);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it("builds a report of a patient's week, shows its figures, downloads the PDF and finalises it", async () => {
    const doctor = server.clinic.doctors.find((d) => d.email === 'doctor@vigil.local');
    const patient = doctor?.patients[0];
    const device = server.clinic.devices.find(
      (d) => d.patientId === patient?.id && !d.firmware && d.scenario !== 'baby-cry',
    );
    if (patient === undefined || device === undefined) throw new Error('no demo patient device');
    // 60 packets a second apart, 5 minutes ago (inside the form's default period): SpO2 97 %.
    const start = Date.now() - 300_000;
    for (let i = 0; i < 60; i++) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/vitals',
        headers: { 'x-api-key': device.apiKey },
        payload: {
          device_id: device.deviceId,
          timestamp: start + i * 1000,
          ecg_samples: [0.1, 0.2, 0.1],
          heart_rate_bpm: 72,
          spo2_percent: 97,
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    }

    const page = await browser.context.newPage();
    keepEvidence(page, 'reports-failure.png');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, server.baseUrl, 'doctor@vigil.local', PASSWORDS['doctor@vigil.local']);
    await page
      .getByTestId('patient-row')
      .filter({ hasText: patient.name })
      .getByRole('link', { name: patient.name })
      .click();
    await page.getByRole('heading', { name: patient.name }).waitFor();

    const form = page.getByRole('form', { name: 'Build a report' });
    await form.getByLabel('Title').fill('E2E week');
    await form.getByRole('button', { name: 'Build report' }).click();
    const view = page.getByTestId('report-view');
    await view.waitFor({ timeout: 20_000 });
    expect(await view.getByRole('heading', { name: 'E2E week' }).count()).toBe(1);
    const figures = await view.getByTestId('report-figures').innerText();
    expect(figures).toMatch(/SpO₂\s+97 \/ 97 \/ 97 %/);
    expect(figures).toMatch(/Heart rate\s+\d+(\.\d+)? \/ \d+(\.\d+)? \/ \d+(\.\d+)? bpm/);
    expect(await view.getByTestId('report-status').innerText()).toBe('draft');
    await page.getByTestId('report-item').filter({ hasText: 'E2E week' }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      view.getByRole('button', { name: 'Download PDF' }).click(),
    ]);
    const file = join(artifacts, 'report-e2e.pdf');
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    await view.getByRole('button', { name: 'Finalise' }).click();
    await expect.poll(() => view.getByTestId('report-status').innerText()).toBe('final');
    expect(await view.getByRole('button', { name: 'Finalise' }).count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'reports-panel.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
