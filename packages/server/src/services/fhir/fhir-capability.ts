import { SEARCH_PARAMS, type FhirSearchType } from './fhir-search.js';
import type { FhirResource } from './fhir-resources.js';

const PARAM_TYPES: Record<string, { type: string; documentation: string }> = {
  _id: { type: 'token', documentation: 'Resource ids, comma-separated' },
  _lastUpdated: {
    type: 'date',
    documentation: 'When the resource last changed; prefixes eq, gt, lt, ge, le',
  },
  patient: {
    type: 'reference',
    documentation: 'Patient/<id>; required for Observation and DiagnosticReport',
  },
  subject: { type: 'reference', documentation: 'Same as patient' },
  code: {
    type: 'token',
    documentation:
      'LOINC 8867-4, 2708-6, 59408-5, 8310-5, 9279-1, 80404-7, 11524-6; MDC 131328 (ECG)',
  },
  date: {
    type: 'date',
    documentation:
      'Effective time (AuditEvent: recorded); prefixes eq, gt, lt, ge, le; dates without time are UTC',
  },
  agent: {
    type: 'reference',
    documentation: 'AuditEvent: who acted (Practitioner/<id>, Patient/<id> or a device id)',
  },
  action: { type: 'token', documentation: 'AuditEvent: C, R, U, D or E, comma-separated' },
  outcome: {
    type: 'token',
    documentation: 'AuditEvent: 0 success, 4 denied (401/403/404), 8 failed',
  },
};

/**
 * The CapabilityStatement of /fhir/R4/metadata (http://hl7.org/fhir/R4/capabilitystatement.html):
 * exactly the interactions and search parameters this server implements; `_count` (≤ 500) and
 * the `next` link's `_cursor` page every search.
 */
export function capabilityStatement(baseUrl: string, version: string): FhirResource {
  const types = Object.keys(SEARCH_PARAMS) as FhirSearchType[];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-04',
    publisher: 'Vigil',
    kind: 'instance',
    software: { name: 'Vigil', version },
    implementation: {
      description: 'Vigil remote patient monitoring, FHIR R4 read API',
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Read-only. Access follows Vigil roles: an admin sees every patient, a doctor their own patients, a patient themself; device API keys are refused. AuditEvent (the audit trail, newest first) is for admins alone; its Bundles carry no total. Every search takes _count (1-500, default 50), _total (none or accurate) and pages by the next link.',
        security: {
          cors: true,
          description: 'Authorization: Bearer <Vigil access token> (POST /api/v1/auth/login)',
        },
        resource: types.map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchParam: SEARCH_PARAMS[type].map((name) => ({
            name,
            type: PARAM_TYPES[name]?.type ?? 'string',
            documentation: PARAM_TYPES[name]?.documentation ?? '',
          })),
        })),
      },
    ],
  };
}
