import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, type TestApp, type TestUser } from '../helpers/index.js';
import { createTestAppWithDashboard } from '../helpers/dashboard-app.js';

/**
 * With the dashboard served (npm start), a FHIR path Vigil does not implement must not be the
 * dashboard page: /fhir/R4/Condition answered 200 text/html (index.html), which a FHIR client
 * cannot tell from success. It is a 404.
 */
describe('API and FHIR paths are not the dashboard page', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestAppWithDashboard();
    admin = await createAdmin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/fhir/R4/Condition', '/fhir/R4/Patient/abc/extra', '/fhir/R4', '/fhir'])(
    'answers GET %s 404 in JSON, not index.html',
    async (url) => {
      const res = await t.app.inject({ url, headers: admin.headers });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/json/);
      expect(res.body).not.toContain('<title>Vigil</title>');
    },
  );

  it('answers an unknown FHIR read as a FHIR OperationOutcome (not-found)', async () => {
    const res = await t.app.inject({ url: '/fhir/R4/Condition', headers: admin.headers });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const outcome = res.json<{
      resourceType: string;
      issue: { code: string; details: { coding: { code: string }[] } }[];
    }>();
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]?.details.coding[0]?.code).toBe('FHIR_RESOURCE_NOT_FOUND');
  });

  it('still answers the implemented FHIR reads', async () => {
    const res = await t.app.inject({ url: '/fhir/R4/metadata' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ resourceType: string }>().resourceType).toBe('CapabilityStatement');
  });

  it.each(['/api/v1/alerts/', '/fhir/R4/Patient/'])(
    'answers %s<400 characters> 400 naming the path, as without the dashboard',
    async (prefix) => {
      const res = await t.app.inject({
        url: `${prefix}${'9'.repeat(400)}`,
        headers: admin.headers,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('longer than 100 characters');
      expect(res.body).not.toContain('<title>Vigil</title>');
    },
  );
});
