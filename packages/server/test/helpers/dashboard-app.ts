import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { webPlugin } from '../../src/transports/http/plugins/web.plugin.js';
import { createTestApp, type TestApp } from './app.js';

/**
 * A test app that also serves a dashboard (an index.html stand-in in a temporary dist folder),
 * as `npm start` serves the built one: its page fallback (`GET /*`) is what an unrouted path
 * would reach. `close` closes the app and removes the folder.
 */
export async function createTestAppWithDashboard(): Promise<TestApp> {
  const dist = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Vigil</title>');
  const t = await createTestApp({
    plugins: [
      async (app: FastifyInstance) => {
        await app.register(webPlugin, { distDir: dist });
      },
    ],
  });
  return {
    ...t,
    close: async () => {
      await t.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}
