/**
 * Browser test of the baby monitor on the dashboard: the demo clinic's baby, Mia Evans,
 * runs the simulator's `baby-cry` scenario through the real upload path (readings every 5 s, a
 * clip now and then, a cry with fever 45 s in). Her doctor sees the alert arrive live, the latest
 * reading in the patient list, and on her page the cry event with its probability, the trends,
 * and a player that plays the stored clip (fetched with the doctor's token).
 *
 * Without /usr/bin/chromium the test is skipped locally and fails in CI (CI=true).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  signIn,
  startDashboardServer,
} from './helpers/dashboard-server.js';

requireChromiumInCi();
const PASSWORDS = demoPasswords();

describe.skipIf(!hasChromium)('baby monitor on the dashboard, in Chromium', () => {
  let server: DashboardServer;
  let browser: Browser;
  let fleet: DemoFleet | undefined;

  beforeAll(async () => {
    server = await startDashboardServer(PASSWORDS);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser.close();
    await fleet?.close();
    await server.close();
  });

  it("shows the demo baby's cry with fever live, then the cry event on her page, and plays its audio", async () => {
    const page = await browser.context.newPage();
    keepEvidence(page, 'baby-monitor-failure.png');
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, server.baseUrl, 'doctor2@vigil.local', PASSWORDS['doctor2@vigil.local']);
    await page.getByTestId('connection-status').filter({ hasText: 'Live' }).waitFor();

    // The baby's monitor starts now, as `npm start` starts it: the cry comes 45 s in.
    const baby = server.clinic.devices.find((d) => d.scenario === 'baby-cry');
    if (baby === undefined) throw new Error('the demo clinic has no baby monitor');
    fleet = startDemoFleet({ baseUrl: server.baseUrl, devices: [baby], log: server.app.log });
    const mia = page.getByTestId('patient-row').filter({ hasText: 'Mia Evans' });
    await mia.getByTestId('baby-latest').waitFor({ timeout: 20_000 });
    const toast = page.getByTestId('alert-toast').filter({ hasText: /crying at 3[89]\.\d °C/ });
    await toast.first().waitFor({ timeout: 90_000 });
    await expect
      .poll(async () => mia.getByTestId('baby-latest').innerText(), { timeout: 15_000 })
      .toMatch(/3[89]\.\d\s*°C/);
    await page.screenshot({ path: join(artifacts, 'baby-monitor-list.png'), fullPage: true });

    await mia.getByRole('link', { name: 'Mia Evans' }).click();
    await page.getByRole('heading', { name: 'Mia Evans' }).waitFor();
    const event = page.getByTestId('cry-event').first();
    await event.waitFor({ timeout: 15_000 });
    expect(await event.innerText()).toMatch(/crying with fever: possibly sick/i);
    const evidence = await event.getByTestId('cry-probability').innerText();
    expect(evidence).toMatch(/^probability (0\.[5-9]\d|1\.00) · decided by server$/);
    // The monitor has no ECG: the page shows its panel, not an empty strip.
    await page.getByTestId('baby-monitor').waitFor();
    expect(await page.getByText('Live ECG').count()).toBe(0);
    await expect
      .poll(async () =>
        page.getByRole('img', { name: /Temperature trend, [1-9]\d* buckets/ }).count(),
      )
      .toBe(1);
    // The Temperature caption gives the reading the tile shows (a minute's mean, captioned
    // "last", read lower than the tile while a fever rose).
    await expect
      .poll(async () =>
        page.getByTestId('baby-monitor').evaluate((panel) => {
          const tile = panel.querySelector('[data-testid=baby-temperature]')?.textContent;
          const caption = panel.querySelector('[data-testid=trend-latest]')?.textContent;
          return tile !== undefined && caption === `last ${tile}`;
        }),
      )
      .toBe(true);
    await page
      .getByTestId('alert-item')
      .filter({ hasText: /crying at/ })
      .first()
      .waitFor();

    // The clip plays: fetched with the doctor's token into the player, which starts and advances.
    const audio = event.getByTestId('cry-audio');
    await audio.waitFor({ timeout: 15_000 });
    await audio.evaluate((el: HTMLAudioElement) => el.play());
    await expect
      .poll(
        async () =>
          audio.evaluate((el: HTMLAudioElement) => ({
            played: el.currentTime > 0 || el.ended,
            duration: Math.round(el.duration),
            error: el.error?.code ?? null,
          })),
        { timeout: 15_000 },
      )
      .toEqual({ played: true, duration: 4, error: null });
    await page.screenshot({ path: join(artifacts, 'baby-monitor-patient.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 180_000);
});
