import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';
import { createContainer } from '../composition.js';
import { loadConfig } from '../config/env.js';

/** Where the generated document is committed: beside the schemas it is generated from. */
export const OPENAPI_FILE = fileURLToPath(
  new URL('../../../protocol/openapi.json', import.meta.url),
);

/**
 * The OpenAPI document exactly as `GET /openapi.json` serves it, as committed text (2-space JSON
 * and a final newline). Built from the real routes and their @vigil/protocol schemas on a
 * throw-away in-memory database, so the file can only say what the code does.
 */
export async function renderOpenApiDocument(): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', MQTT_PORT: '0', LOG_LEVEL: 'silent' });
  const container = await createContainer(config, { database: { sqlitePath: ':memory:' } });
  try {
    const app = await buildApp({ ...container, plugins: [] });
    try {
      return `${JSON.stringify(app.swagger(), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    await container.close();
  }
}
