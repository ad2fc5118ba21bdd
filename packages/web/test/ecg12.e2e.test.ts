/**
 * Browser test of the 12-lead page: a doctor uploads a committed CinC 2021 record
 * (E07509, right bundle branch block; CC BY 4.0, see packages/signal/src/io/fixtures/cinc2021/
 * NOTICE) for one of their patients and sees the 3 × 4 layout, the lead II rhythm strip, the
 * measurements and the findings; the patient page then lists the result. Screenshots go to
 * artifacts/. Skipped without /usr/bin/chromium (fails in CI).
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifacts,
  type Browser,
  type DashboardServer,
  demoPasswords,
  ensureDashboardBuilt,
  hasChromium,
  keepEvidence,
  launchBrowser,
  requireChromiumInCi,
  signIn,
  startDashboardServer,
  webDir,
} from './helpers/dashboard-server.js';

requireChromiumInCi();

const RECORD_DIR = resolve(webDir, '../signal/src/io/fixtures/cinc2021');

describe.skipIf(!hasChromium)('12-lead ECG page in Chromium', () => {
  const passwords = demoPasswords();
  let server: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    ensureDashboardBuilt();
    server = await startDashboardServer(passwords);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it('uploads a .hea + .mat record for a patient and shows the 12-lead layout and findings', async () => {
    const page = await browser.context.newPage();
    keepEvidence(page, 'ecg12-e2e-failure.png');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await signIn(page, server.baseUrl, 'doctor@vigil.local', passwords['doctor@vigil.local']);
    await page.getByRole('link', { name: '12-lead ECG' }).click();
    await page.getByRole('heading', { name: '12-lead ECG', level: 1 }).waitFor();
    await page.getByLabel('Patient').selectOption({ label: 'Ada Lovelace' });
    await page
      .getByLabel(/^Files/)
      .setInputFiles([join(RECORD_DIR, 'E07509.hea'), join(RECORD_DIR, 'E07509.mat')]);
    await page.getByLabel('Height (cm)').fill('175');
    await page.getByLabel('Weight (kg)').fill('80');
    await page.getByRole('button', { name: 'Classify' }).click();

    await page.getByRole('heading', { name: '12-lead ECG result' }).waitFor({ timeout: 30_000 });
    const grid = page.getByTestId('twelve-lead-grid');
    await grid.waitFor();
    const panels = grid.getByTestId('lead-panel');
    expect(await panels.count()).toBe(12);
    expect(await panels.evaluateAll((els) => els.map((e) => e.getAttribute('data-lead')))).toEqual([
      'I',
      'aVR',
      'V1',
      'V4',
      'II',
      'aVL',
      'V2',
      'V5',
      'III',
      'aVF',
      'V3',
      'V6',
    ]);
    // Every panel has a trace; the rhythm strip is lead II over the whole 10 s (5000 points).
    expect(await grid.locator('[data-testid=lead-panel] polyline').count()).toBe(12);
    const rhythm = grid.getByTestId('rhythm-strip');
    expect(await rhythm.getAttribute('data-lead')).toBe('II');
    const rhythmPoints = await rhythm
      .locator('polyline')
      .evaluate((el) => (el.getAttribute('points') ?? '').trim().split(/\s+/).length);
    expect(rhythmPoints).toBe(5000);
    expect(await grid.getByTestId('calibration-pulse').count()).toBe(4);

    await expect
      .poll(() => page.getByTestId('ecg12-class').innerText())
      .toMatch(/Conduction disturbance \(C\)/);
    const measurements = await page.getByTestId('ecg12-measurements').innerText();
    expect(measurements).toMatch(/QRS\s+1[2-9]\d\s*ms/);
    expect(measurements).toMatch(/QTc Bazett/);
    expect(await page.getByTestId('ecg12-findings').innerText()).toMatch(/RBBB/);
    expect(await page.getByTestId('ecg12-probabilities').innerText()).toMatch(/CD\s+\d+%/);
    // E07509 is in mV: no units note.
    expect(await page.getByTestId('ecg12-units-note').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'ecg12-result.png'), fullPage: true });

    // The patient page lists the result, and its link opens it again.
    const resultUrl = page.url();
    await page.getByRole('link', { name: '← Patient' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    const list = page.getByTestId('ecg12-history');
    await list.waitFor();
    expect(await list.innerText()).toMatch(/Conduction disturbance \(C\)/);
    await page.screenshot({ path: join(artifacts, 'ecg12-patient-page.png'), fullPage: true });
    await list.getByRole('link').first().click();
    await page.getByTestId('twelve-lead-grid').waitFor();
    expect(page.url()).toBe(resultUrl);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
