/**
 * Browser test of the camera heart-rate page: Debian's Chromium with a fake camera that plays a
 * generated face video (`--use-file-for-fake-video-capture`, a .y4m written by @vigil/signal's
 * synthetic generator at a known pulse rate), against a real server with the built dashboard. A
 * patient signs in, opens "Camera heart rate", starts the camera, and the page must show a BPM
 * within 3 of the video's rate within 20 s. The screenshot is kept in artifacts/.
 *
 * Without /usr/bin/chromium or ffmpeg the test is skipped locally.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFaceVideoSynth } from '@vigil/signal';
import { loadSynthFace, writeSynthVideo } from '@vigil/signal/io';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArgon2Hasher } from '../../server/src/adapters/password-hasher.js';
import { buildApp } from '../../server/src/app.js';
import { createContainer, type Container } from '../../server/src/composition.js';
import { loadConfig } from '../../server/src/config/env.js';
import { webPlugin } from '../../server/src/transports/http/plugins/web.plugin.js';
import { artifacts, CHROMIUM, ensureDashboardBuilt } from './helpers/dashboard-server.js';

const VIDEO_BPM = 72;

describe.skipIf(!existsSync(CHROMIUM))('camera heart rate page in Chromium', () => {
  let container: Container;
  let app: FastifyInstance;
  let baseUrl: string;
  let context: BrowserContext;
  let dir: string;
  const email = `camera-${randomBytes(4).toString('hex')}@example.test`;
  const password = `cam-${randomBytes(6).toString('hex')}-1`;

  beforeAll(async () => {
    ensureDashboardBuilt();
    dir = mkdtempSync(join(tmpdir(), 'vigil-rppg-e2e-'));
    const video = join(dir, `face-${VIDEO_BPM}.y4m`);
    await writeSynthVideo(
      createFaceVideoSynth({
        face: await loadSynthFace(),
        width: 320,
        height: 240,
        fps: 15,
        durationSeconds: 30,
        bpm: VIDEO_BPM,
        bpmWanderSd: 0,
        seed: 4,
      }),
      video,
    );
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(32).toString('hex'),
      MQTT_PORT: '0',
      DATABASE_URL: process.env.DATABASE_URL,
    });
    container = await createContainer(config, {
      passwordHasher: createArgon2Hasher({ memoryCost: 1024, timeCost: 1 }),
      database:
        config.databaseUrl === undefined
          ? { sqlitePath: ':memory:' }
          : {
              pgSchema: `vigil_webtest_${randomBytes(6).toString('hex')}`,
              dropSchemaOnClose: true,
              maxConnections: 4,
            },
    });
    await container.services.auth.register({ email, password, name: 'Camera Patient' });
    app = await buildApp({ ...container, plugins: [webPlugin] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no server address');
    baseUrl = `http://127.0.0.1:${address.port}`;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
      viewport: { width: 1100, height: 900 },
    });
    mkdirSync(artifacts, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await context.close().catch(() => undefined);
    await app.close();
    await container.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`shows a BPM within 3 of the video's ${VIDEO_BPM} within 20 s of starting the camera`, async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Camera heart rate' }).click();
    await page.getByRole('heading', { name: 'Camera heart rate' }).waitFor();
    await page.getByRole('button', { name: 'Start camera' }).click();
    let shown = '';
    try {
      await page.waitForFunction(
        () =>
          /^\d+ bpm$/.test(document.querySelector('[data-testid="rppg-bpm"]')?.textContent ?? ''),
        undefined,
        { timeout: 20_000, polling: 250 },
      );
    } finally {
      shown = (await page.getByTestId('rppg-bpm').textContent()) ?? '';
      await page.screenshot({ path: join(artifacts, 'rppg-camera.png'), fullPage: true });
    }
    expect(Math.abs(Number.parseInt(shown, 10) - VIDEO_BPM)).toBeLessThanOrEqual(3);
    expect(await page.getByTestId('rppg-buffer').textContent()).toMatch(/^\d+\/200$/);
    expect(['medium', 'high']).toContain(await page.getByTestId('rppg-confidence').textContent());

    // The measurement is stored as the patient's heart rate (source rppg, one reading per 5 s of
    // signal) and listed on their page with its source.
    await page.waitForTimeout(6000);
    await page.goto(`${baseUrl}/`);
    const row = page.getByTestId('camera-measurement').first();
    await row.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(artifacts, 'rppg-patient-page.png'), fullPage: true });
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[4]).toBe('camera (rPPG)');
    expect(Math.abs(Number.parseInt(cells[1] ?? '', 10) - VIDEO_BPM)).toBeLessThanOrEqual(3);
  }, 90_000);
});
