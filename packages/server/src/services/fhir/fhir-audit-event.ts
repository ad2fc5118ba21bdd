import type { AuditEvent } from '@vigil/protocol';
import type { FhirResource } from './fhir-resources.js';

/** FHIR AuditEvent.action (http://hl7.org/fhir/R4/valueset-audit-event-action.html). */
export type FhirAuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/**
 * The verb of a Vigil action (`<resource>.<verb>`) by FHIR action: C create, R read, U update,
 * D delete; any other verb (sign-in, sign-out, token refresh) is E, execute.
 */
export const AUDIT_ACTION_VERBS: Record<Exclude<FhirAuditAction, 'E'>, readonly string[]> = {
  C: ['create', 'ingest', 'upload', 'classify', 'register'],
  R: ['read', 'list', 'search', 'stats', 'pdf', 'read_audio', 'subscribe'],
  U: ['update', 'acknowledge', 'resolve', 'rotate_key', 'retire'],
  D: ['delete', 'delete_all', 'purge'],
};

/** The Vigil outcome each FHIR outcome code stands for (AuditEvent.outcome, R4). */
export const AUDIT_OUTCOME_CODES = { '0': 'success', '4': 'denied', '8': 'failed' } as const;

const OUTCOME_CODE: Record<AuditEvent['outcome'], string> = {
  success: '0',
  denied: '4',
  failed: '8',
};

const verbOf = (action: string): string => action.slice(action.lastIndexOf('.') + 1);

export function fhirAuditAction(action: string): FhirAuditAction {
  const verb = verbOf(action);
  for (const [code, verbs] of Object.entries(AUDIT_ACTION_VERBS))
    if (verbs.includes(verb)) return code as FhirAuditAction;
  return 'E';
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST_INTERACTION = 'http://hl7.org/fhir/restful-interaction';

/** AuditEvent.type and .subtype: sign-in events are DICOM's, the rest RESTful operations. */
function typeOf(action: string): { type: object; subtype: object[] } {
  if (action.startsWith('auth.')) {
    const verb = verbOf(action);
    const sub =
      verb === 'login'
        ? [{ system: DCM, code: '110122', display: 'Login' }]
        : verb === 'logout'
          ? [{ system: DCM, code: '110123', display: 'Logout' }]
          : [];
    return { type: { system: DCM, code: '110114', display: 'User Authentication' }, subtype: sub };
  }
  const interaction: Record<FhirAuditAction, string> = {
    C: 'create',
    R: action.startsWith('fhir.search') || verbOf(action) === 'list' ? 'search-type' : 'read',
    U: 'update',
    D: 'delete',
    E: 'operation',
  };
  return {
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: REST_INTERACTION, code: interaction[fhirAuditAction(action)] }],
  };
}

/** The agent's FHIR reference: users are Patients or Practitioners, devices their hardware id. */
function whoOf(e: AuditEvent): Record<string, unknown> {
  if (e.actor_id === null) return { display: e.actor_kind };
  switch (e.actor_kind) {
    case 'patient':
      return { reference: `Patient/${e.actor_id}` };
    case 'doctor':
    case 'admin':
      return { reference: `Practitioner/${e.actor_id}` };
    default:
      return {
        identifier: { system: 'urn:vigil:device-id', value: e.actor_id },
        display: `device ${e.actor_id}`,
      };
  }
}

/** `fhir.Patient` events name FHIR resources; the others Vigil's (`urn:vigil:<type>`). */
function resourceEntity(e: AuditEvent): Record<string, unknown> {
  const fhirType = e.resource_type.startsWith('fhir.') ? e.resource_type.slice(5) : undefined;
  const what =
    e.resource_id === null
      ? { display: e.resource_type }
      : fhirType !== undefined
        ? { reference: `${fhirType}/${e.resource_id}` }
        : { identifier: { system: `urn:vigil:${e.resource_type}`, value: e.resource_id } };
  const detail: { type: string; valueString: string }[] = [
    { type: 'action', valueString: e.action },
    { type: 'http-status', valueString: String(e.status) },
    { type: 'count', valueString: String(e.count) },
  ];
  if (e.request_id !== null) detail.push({ type: 'request-id', valueString: e.request_id });
  if (e.user_agent !== null) detail.push({ type: 'user-agent', valueString: e.user_agent });
  return {
    what,
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
      code: '2',
      display: 'System Object',
    },
    detail,
  };
}

/**
 * One Vigil audit event as a FHIR R4 AuditEvent (http://hl7.org/fhir/R4/auditevent.html):
 * type and subtype (RESTful interaction, or DICOM user authentication for sign-ins), action
 * C/R/U/D/E, recorded, outcome 0 success / 4 denied (minor failure) / 8 failed (serious
 * failure; 12 is never emitted), the requesting agent with its role and network address, Vigil
 * as the source, and entities for the patient and the resource (with the action, HTTP status,
 * count, request id and user agent as details).
 */
export function toAuditEvent(e: AuditEvent, version: string): FhirResource {
  const { type, subtype } = typeOf(e.action);
  const agent: Record<string, unknown> = {
    type: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/extra-security-role-type',
          code: 'humanuser',
          display: 'human user',
        },
      ],
    },
    role: [{ coding: [{ system: 'urn:vigil:role', code: e.actor_kind }], text: e.actor_kind }],
    who: whoOf(e),
    requestor: true,
  };
  if (e.actor_kind === 'device' || e.actor_kind === 'anonymous') delete agent.type;
  if (e.ip !== null) agent.network = { address: e.ip, type: '2' };
  const entity = [resourceEntity(e)];
  if (e.patient_id !== null)
    entity.unshift({
      what: { reference: `Patient/${e.patient_id}` },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: {
        system: 'http://terminology.hl7.org/CodeSystem/object-role',
        code: '1',
        display: 'Patient',
      },
    });
  return {
    resourceType: 'AuditEvent',
    id: e.id,
    type,
    ...(subtype.length > 0 ? { subtype } : {}),
    action: fhirAuditAction(e.action),
    recorded: new Date(e.at).toISOString(),
    outcome: OUTCOME_CODE[e.outcome],
    outcomeDesc: `HTTP ${e.status} (${e.outcome})`,
    agent: [agent],
    source: {
      site: 'Vigil',
      observer: { display: `Vigil ${version}` },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity,
  };
}
