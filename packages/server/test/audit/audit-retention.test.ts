import { describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../../src/repositories/audit.repository.js';
import { createAdmin, createTestApp } from '../helpers/index.js';

const DAY_MS = 86_400_000;

function event(id: string, at: number): AuditEventRow {
  return {
    id,
    at,
    actor_id: null,
    actor_kind: 'anonymous',
    ip: null,
    user_agent: null,
    action: 'vitals.read',
    resource_type: 'vitals',
    resource_id: null,
    patient_id: null,
    outcome: 'denied',
    status: 401,
    request_id: null,
    count: 1,
  };
}

describe('audit retention and durability', () => {
  it('AUDIT_RETENTION_DAYS deletes only events past the horizon, apart from the data retention', async () => {
    const t = await createTestApp({ env: { AUDIT_RETENTION_DAYS: '30' } });
    try {
      expect(t.container.config.retention).toEqual({ vitalsDays: 0, audioDays: 0, auditDays: 30 });
      const now = t.clock.now();
      await t.container.repositories.audit.insertBatch([
        event('old-1', now - 31 * DAY_MS),
        event('old-2', now - 30 * DAY_MS - 1),
        event('kept-1', now - 30 * DAY_MS + 1000),
        event('kept-2', now - DAY_MS),
      ]);
      expect(await t.container.services.audit.purge()).toBe(2);
      const left = await t.container.repositories.audit.list({ action: 'vitals.read' }, 100);
      expect(left.map((e) => e.id).sort()).toEqual(['kept-1', 'kept-2']);
    } finally {
      await t.close();
    }
  });

  it('keeps every event with AUDIT_RETENTION_DAYS unset (0)', async () => {
    const t = await createTestApp();
    try {
      await t.container.repositories.audit.insertBatch([event('ancient', 0)]);
      expect(await t.container.services.audit.purge()).toBe(0);
      expect(await t.container.repositories.audit.list({ from: 0, to: 1 }, 10)).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('writes what it holds when the app closes, without waiting for the timer', async () => {
    // An hour between timed writes: only the close can have written these.
    const t = await createTestApp({ audit: { flushMs: 3_600_000 } });
    try {
      const admin = await createAdmin(t);
      for (let i = 0; i < 3; i++)
        await t.app.inject({ url: '/api/v1/auth/me', headers: admin.headers });
      expect(await t.container.repositories.audit.list({ action: 'user.read' }, 10)).toEqual([]);
      await t.app.close();
      const written = await t.container.repositories.audit.list({ action: 'user.read' }, 10);
      expect(written).toHaveLength(3);
      expect(written.every((e) => e.actor_id === admin.user.id && e.outcome === 'success')).toBe(
        true,
      );
    } finally {
      await t.close();
    }
  });
});
