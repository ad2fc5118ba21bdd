import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import type { AuditEventRow } from '../../src/repositories/audit.repository.js';
import type { TestApp, TestUser } from '../helpers/index.js';

/** Who sends: a signed-in user, nobody, or a device by its key. */
export type AuditCaller = TestUser | 'anon' | { 'x-api-key': string };

/**
 * Sends a request with a fresh request id, flushes the audit trail and returns the events
 * written for that request (the audit tests assert exactly one).
 */
export async function sendAudited(
  t: TestApp,
  options: InjectOptions,
  as: AuditCaller,
): Promise<{ status: number; body: string; events: AuditEventRow[] }> {
  const id = `audit-${randomBytes(6).toString('hex')}`;
  const auth = as === 'anon' ? {} : 'headers' in as ? as.headers : as;
  const res = await t.app.inject({
    method: 'GET',
    ...options,
    headers: { ...options.headers, ...auth, 'x-request-id': id, 'user-agent': 'audit-test/1' },
  });
  // onResponse hooks run on the response's 'finish': let them run before writing the trail.
  await new Promise((r) => setImmediate(r));
  await t.container.services.audit.flush();
  const events = (await t.container.repositories.audit.list({}, 10_000)).filter(
    (e) => e.request_id === id,
  );
  return { status: res.statusCode, body: res.body, events };
}

/** POSTs as `as` and returns the id of what was created (`inserted_id`, `session_id` or `id`). */
export async function createdId(t: TestApp, options: InjectOptions, as: TestUser): Promise<string> {
  const res = await t.app.inject({ method: 'POST', ...options, headers: as.headers });
  if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(res.body);
  const body = res.json<{ id?: string; inserted_id?: string; session_id?: string }>();
  const id = body.inserted_id ?? body.session_id ?? body.id;
  if (id === undefined) throw new Error(res.body);
  return id;
}
