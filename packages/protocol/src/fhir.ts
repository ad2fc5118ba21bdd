import { Type, type TSchema } from 'typebox';

/**
 * The FHIR R4 API (/fhir/R4). FHIR resources are defined by HL7's structure
 * definitions (http://hl7.org/fhir/R4/), not here: the schemas below name the envelope each
 * route returns and let the resource through as the server builds it field by field
 * (packages/server/src/services/fhir/fhir-resources.ts). The server's tests validate every
 * resource type it emits against the R4 structure definitions.
 */
const resource = (title: string, resourceType: string, description: string) =>
  Type.Object(
    { resourceType: Type.Literal(resourceType) },
    { title, description, additionalProperties: true },
  );

export const FhirResourceSchema = Type.Object(
  {
    resourceType: Type.String({
      description: 'Patient, Practitioner, Device, Observation, DiagnosticReport or AuditEvent',
    }),
    id: Type.Optional(Type.String()),
  },
  {
    title: 'FhirResource',
    description: 'A FHIR R4 resource (application/fhir+json)',
    additionalProperties: true,
  },
);

export const FhirBundleSchema = resource(
  'FhirBundle',
  'Bundle',
  'A searchset Bundle: total, link self/next (next carries _cursor), entry[].resource',
);

export const FhirCapabilityStatementSchema = resource(
  'FhirCapabilityStatement',
  'CapabilityStatement',
  'What this server implements: resource types, interactions, search parameters',
);

export const OperationOutcomeSchema = resource(
  'OperationOutcome',
  'OperationOutcome',
  'An error: issue[0].code (FHIR issue type), details.coding[0].code (Vigil error code), expression[0] (the parameter at fault)',
);

/** `{ 400: OperationOutcome, ... }` for a FHIR route's response schema. */
export function fhirErrorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = OperationOutcomeSchema;
  return out;
}

const searchValue = (description: string) =>
  Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));

/**
 * The search parameters of every FHIR search route, for the OpenAPI document. Each type accepts
 * a subset (the CapabilityStatement lists which); the server checks them and answers 400
 * naming any other.
 */
export const FhirSearchQuerySchema = Type.Object(
  {
    _count: searchValue('Page size, 1–500 (default 50)'),
    _cursor: searchValue('Where the next page starts (from the next link)'),
    _format: searchValue('json or application/fhir+json'),
    _total: searchValue('none (no total: skips counting) or accurate (default)'),
    _id: searchValue('Patient, Practitioner: ids, comma-separated'),
    _lastUpdated: searchValue('When the resource last changed: [eq|gt|lt|ge|le]<date>, repeatable'),
    patient: searchValue('Patient/<id>: required for Observation and DiagnosticReport'),
    subject: searchValue('Same as patient'),
    code: searchValue('[system|]code, comma-separated (LOINC or MDC)'),
    date: searchValue('Effective time: [eq|gt|lt|ge|le]<date>, repeatable'),
    agent: searchValue('AuditEvent: who acted (Practitioner/<id>, Patient/<id> or a device id)'),
    action: searchValue('AuditEvent: C, R, U, D or E, comma-separated'),
    outcome: searchValue('AuditEvent: 0 success, 4 denied, 8 failed'),
  },
  { additionalProperties: true },
);

export const FhirReadParamsSchema = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9\\-.]{1,64}$', description: 'FHIR resource id' }),
});
