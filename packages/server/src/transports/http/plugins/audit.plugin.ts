import type {
  FastifyInstance,
  FastifyRequest,
  onResponseHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import {
  auditOutcome,
  type AuditRecord,
  type AuditRecorder,
  type AuditRef,
  type AuditRefKind,
} from '../../../services/audit.service.js';
import { normaliseEmail } from '../../../services/password-policy.js';

/** Where a route finds a reference in the request, and what it names. */
export interface AuditRefSpec {
  in: 'params' | 'query' | 'body';
  name: string;
  kind: AuditRefKind;
}

/**
 * A route's audit declaration (`config: { audit }`): the one onResponse hook below records an
 * event for every answer of the route, so a route cannot forget to. `false` declares a route
 * that touches no patient, user or device (ops endpoints); a test checks that every route of
 * the OpenAPI document says one or the other, and that patient-data routes are audited.
 */
export interface RouteAudit {
  /** `<resource>.<verb>`, e.g. `vitals.read`, `user.update`, `auth.login`. */
  action: string;
  resourceType: string;
  /** The resource's id (its value becomes `resource_id`; its patient, the event's patient). */
  resource?: AuditRefSpec;
  /**
   * The patient when the resource does not name one (e.g. `?patient_id=`); a list: the first
   * the request carries (FHIR's `patient` or `subject`).
   */
  patient?: AuditRefSpec | readonly AuditRefSpec[];
  /** The patient, when configuration fixes it (the bedside camera's RPPG_CAMERA_PATIENT_ID). */
  patientId?: string;
  /** Sign-in: the actor is the user whose email (or OAuth2 username) the body carries. */
  signIn?: boolean;
  /** Device uploads: one event per device per flush window (count = requests), not per request. */
  coalesce?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: RouteAudit | false;
  }
  interface FastifyRequest {
    /** The patient of a DELETE's resource, looked up before the handler removes it. */
    auditPatient: string | null | undefined;
    /** What names the patient when only the handler learns it (setAuditPatientRef). */
    auditPatientRef: AuditRef | undefined;
  }
  interface FastifyInstance {
    /** Every route and its audit declaration (the coverage test reads it). */
    auditedRoutes: () => readonly {
      method: string;
      url: string;
      audit: RouteAudit | false | undefined;
    }[];
  }
}

/** Shorthands for route declarations. */
export const inParams = (name: string, kind: AuditRefKind): AuditRefSpec => ({
  in: 'params',
  name,
  kind,
});
export const inQuery = (name: string, kind: AuditRefKind): AuditRefSpec => ({
  in: 'query',
  name,
  kind,
});
export const inBody = (name: string, kind: AuditRefKind): AuditRefSpec => ({
  in: 'body',
  name,
  kind,
});

/**
 * The patient of a multipart upload, which the handler alone reads (its fields are not in
 * `request.body`, where `inBody` looks): call it with the form's `patient_id` once parsed, and
 * with the stored record's patient once known. An empty or missing value changes nothing.
 */
export function setAuditPatient(
  request: FastifyRequest,
  patientId: string | null | undefined,
): void {
  if (typeof patientId === 'string' && patientId !== '')
    request.auditPatient = patientId.slice(0, 200);
}

/**
 * What names the patient when only the service resolves it (seed 004's default stream: the
 * newest device the caller may see): the trail looks its patient up when it writes.
 */
export function setAuditPatientRef(request: FastifyRequest, ref: AuditRef): void {
  request.auditPatientRef = ref;
}

/**
 * The patient a batch of bodies names, when every one names the same `patient_id` (a batch
 * about several patients, or none, is one event without a patient).
 */
export function batchPatient(bodies: readonly unknown[]): string | undefined {
  const ids = new Set(
    bodies.map((b) =>
      typeof b === 'object' && b !== null ? (b as Record<string, unknown>).patient_id : undefined,
    ),
  );
  const [only] = ids;
  return ids.size === 1 && typeof only === 'string' ? only : undefined;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function valueOf(request: FastifyRequest, spec: AuditRefSpec): string | undefined {
  let source: unknown = request[spec.in];
  // A batch upload is an array of payloads from one device: its first names the device.
  if (Array.isArray(source)) source = source[0];
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[spec.name];
  return typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined;
}

function refOf(
  request: FastifyRequest,
  spec: AuditRefSpec | readonly AuditRefSpec[] | undefined,
): AuditRef | undefined {
  if (spec === undefined) return undefined;
  for (const one of Array.isArray(spec)
    ? (spec as readonly AuditRefSpec[])
    : [spec as AuditRefSpec]) {
    const key = valueOf(request, one);
    if (key !== undefined) return { kind: one.kind, key };
  }
  return undefined;
}

function recordOf(request: FastifyRequest, status: number, spec: RouteAudit): AuditRecord {
  const user = request.user;
  const device = request.deviceAuth;
  const resourceRef = refOf(request, spec.resource);
  const patientRef = request.auditPatientRef ?? refOf(request, spec.patient) ?? resourceRef;
  let patientId: string | null | undefined = request.auditPatient ?? spec.patientId;
  // A device's own key names its patient (the service refuses a body naming another device);
  // a patient can only ever act on their own data.
  if (patientId === undefined && device?.kind === 'device') patientId = device.device.patient_id;
  if (patientId === undefined && patientRef === undefined && user?.role === 'patient')
    patientId = user.id;
  let actorEmail: string | undefined;
  if (spec.signIn === true) {
    const email =
      valueOf(request, { in: 'body', name: 'email', kind: 'user' }) ??
      valueOf(request, { in: 'body', name: 'username', kind: 'user' });
    actorEmail = email === undefined ? undefined : normaliseEmail(email);
  }
  const agent = request.headers['user-agent'];
  return {
    actorId: user?.id ?? (device?.kind === 'device' ? device.device.device_id : null),
    actorKind: user?.role ?? (device === null ? 'anonymous' : 'device'),
    ip: request.ip,
    userAgent: agent ?? null,
    action: spec.action,
    resourceType: spec.resourceType,
    resourceId: resourceRef?.key ?? null,
    patientId,
    patientRef,
    actorEmail,
    outcome: auditOutcome(status),
    status,
    requestId: request.id,
    coalesce: spec.coalesce,
  };
}

/**
 * The HTTP side of the audit trail: one onResponse hook records every answer of a route that
 * declares `config.audit` (successes, refusals and failures alike) through the recorder port,
 * which writes them in batches. A DELETE's patient is looked up before the handler runs, since
 * afterwards the row naming it is gone.
 */
function auditPlugin(
  app: FastifyInstance,
  options: { recorder: AuditRecorder },
  done: (error?: Error) => void,
): void {
  const { recorder } = options;
  const routes: { method: string; url: string; audit: RouteAudit | false | undefined }[] = [];
  app.decorateRequest('auditPatient', undefined);
  app.decorateRequest('auditPatientRef', undefined);
  app.decorate('auditedRoutes', () => routes);
  // The hooks go on the audited routes themselves (route-level hooks, added as each route is
  // declared), holding their declaration: unaudited routes pay nothing, and audited ones skip a
  // per-request lookup of their options (the ingest bench's profile showed both).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const spec = route.config?.audit;
    for (const method of methods) routes.push({ method, url: route.url, audit: spec });
    if (spec === undefined || spec === false) return;
    const onResponse: onResponseHookHandler = (request, reply, next) => {
      // A request answered by another instance (forward-to-owner.ts) is on record there.
      if (!request.forwardedToOwner) recorder.record(recordOf(request, reply.statusCode, spec));
      next();
    };
    route.onResponse = [...asArray(route.onResponse), onResponse];
    if (!methods.includes('DELETE')) return;
    const preHandler: preHandlerAsyncHookHandler = async (request) => {
      const ref = refOf(request, spec.patient) ?? refOf(request, spec.resource);
      if (ref !== undefined) request.auditPatient = await recorder.patientOf(ref);
    };
    route.preHandler = [...asArray(route.preHandler), preHandler];
  });
  // Requests answered before close are on record when app.close() resolves.
  app.addHook('onClose', () => recorder.flush());
  done();
}

export default fp(auditPlugin, { name: 'vigil-audit', fastify: '5.x' });
