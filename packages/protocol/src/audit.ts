import { Type, type Static } from 'typebox';
import { CursorParam, cursorPage } from './common.js';

/**
 * How a request ended, for the audit trail: `success` (2xx/3xx), `denied` (401, 403, or 404 on a
 * patient resource: Vigil answers 404 for what the caller may not see), `failed` (anything else).
 */
export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Who acted: a user's role, a device, or nobody signed in. */
export const AUDIT_ACTOR_KINDS = ['admin', 'doctor', 'patient', 'device', 'anonymous'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const AuditEventSchema = Type.Object(
  {
    id: Type.String(),
    at: Type.Integer({ description: 'epoch ms the request (or the first of a batch) arrived' }),
    actor_id: Nullable(Type.String({ description: 'user id, or device id for a device' })),
    actor_kind: Type.Enum(AUDIT_ACTOR_KINDS),
    ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    action: Type.String({ description: 'e.g. vitals.read, user.update, auth.login' }),
    resource_type: Type.String(),
    resource_id: Nullable(Type.String()),
    patient_id: Nullable(Type.String()),
    outcome: Type.Enum(AUDIT_OUTCOMES),
    status: Type.Integer({ description: 'HTTP status answered (200 for an accepted MQTT batch)' }),
    request_id: Nullable(Type.String()),
    count: Type.Integer({
      minimum: 1,
      description: 'requests or packets this event stands for (device uploads are batched)',
    }),
  },
  { title: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEventSchema>;

const Id = Type.String({ minLength: 1, maxLength: 64 });

export const AuditQuerySchema = Type.Object({
  patient_id: Type.Optional(Id),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the actor' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  outcome: Type.Optional(Type.Enum(AUDIT_OUTCOMES)),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, exclusive' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: CursorParam,
});
export type AuditQuery = Static<typeof AuditQuerySchema>;

export const AuditPageSchema = cursorPage(AuditEventSchema, 'AuditPage');
export type AuditPage = Static<typeof AuditPageSchema>;
