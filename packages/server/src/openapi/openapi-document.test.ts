import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApiDocument } from './openapi-document.js';

describe('committed OpenAPI document', () => {
  it('matches what the routes and schemas generate (run `npm run openapi` after an API change)', async () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    const generated = await renderOpenApiDocument();
    // Compared as objects first so a drift names the path that differs, then as text.
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(committed).toBe(generated);
  });

  it('publishes canonical paths without a trailing slash (/api/v1/users, not /api/v1/users/)', async () => {
    const paths = Object.keys(
      (JSON.parse(await renderOpenApiDocument()) as { paths: Record<string, unknown> }).paths,
    );
    expect(paths).toContain('/api/v1/users');
    expect(paths).toContain('/api/v1/vitals');
    expect(paths.filter((p) => p !== '/' && p.endsWith('/'))).toEqual([]);
  });
});
