/**
 * Browser test of seed 004's 12-lead streams: the demo's 12-lead sensor (Farid
 * Haddad, DEMO-ECG12-006) streams PTB-XL records (CC BY 4.0, see the NOTICE files in
 * packages/signal/src/io/fixtures/cinc2021/ and ptbxl/) in 1 s packets of lead1 … lead12 through the real ingest path, and
 * his doctor's patient page draws the live 12-lead strip on the standard layout. Screenshot in
 * artifacts/seed004-live-12-lead.png. Skipped without /usr/bin/chromium (fails in CI).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLINIC,
  DEMO_ECG12_STREAM_PATIENT,
  seedDemoClinic,
  withEcg12Stream,
} from '../../server/src/demo/demo-clinic.js';
import { readDemoEcg12Stream } from '../../server/src/demo/demo-ecg12.js';
import { startDemoFleet, type DemoFleet } from '../../server/src/demo/demo-fleet.js';
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
} from './helpers/dashboard-server.js';

requireChromiumInCi();

describe.skipIf(!hasChromium)('live 12-lead strip in Chromium', () => {
  const passwords = demoPasswords();
  let server: DashboardServer;
  let browser: Browser;
  let fleet: DemoFleet | undefined;

  beforeAll(async () => {
    ensureDashboardBuilt();
    server = await startDashboardServer(passwords);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await fleet?.close();
    await browser.close();
    await server.close();
  });

  it("draws the 12 leads of a streaming sensor on its patient's page", async () => {
    const { users, devices } = server.container.services;
    const clinic = await seedDemoClinic({
      users,
      devices,
      passwords,
      patientPassword: 'pat-seed004-3x',
      clinic: withEcg12Stream(DEMO_CLINIC),
    });
    const sensor = clinic.devices.filter((d) => d.ecg12);
    expect(sensor.map((d) => d.deviceId)).toEqual([DEMO_ECG12_STREAM_PATIENT.deviceId]);

    const page = await browser.context.newPage();
    keepEvidence(page, 'seed004-e2e-failure.png');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, server.baseUrl, 'doctor@vigil.local', passwords['doctor@vigil.local']);
    fleet = startDemoFleet({
      baseUrl: server.baseUrl,
      devices: sensor,
      ecg12Records: readDemoEcg12Stream(),
      log: server.app.log,
    });
    await page
      .getByTestId('patient-row')
      .filter({ hasText: 'Farid Haddad' })
      .getByRole('link', { name: 'Farid Haddad' })
      .click();
    await page.getByRole('heading', { name: 'Farid Haddad' }).waitFor();

    const live = page.getByTestId('live-twelve-lead');
    await live.waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => live.getByRole('heading').innerText())
      .toMatch(/^Live 12-lead ECG/);
    const panels = live.getByTestId('lead-panel');
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
    // Every lead has a trace once a few seconds have arrived (the window fills up to 10 s).
    await expect
      .poll(async () => live.locator('[data-testid=lead-panel] polyline').count(), {
        timeout: 20_000,
      })
      .toBe(12);
    await expect
      .poll(async () => live.getByRole('heading').innerText(), { timeout: 20_000 })
      .toMatch(/last [3-9]|last 10/);
    await page.screenshot({ path: join(artifacts, 'seed004-live-12-lead.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
