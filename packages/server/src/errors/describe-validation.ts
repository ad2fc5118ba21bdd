/**
 * Schema validation issues as the field and rule a client can act on. Shared by every transport
 * (HTTP error handler, MQTT rejections), so it lives beside the error catalogue, not in one of them.
 */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string | undefined;
  params: Record<string, unknown>;
}

/** `/health_profile/conditions/0` → `health_profile.conditions[0]` (the field as clients write it). */
export function pointerToPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** The field and the rule of the most telling validation issue. */
export function describeValidation(issues: readonly ValidationIssue[]): {
  field: string;
  message: string;
} {
  // TypeBox reports `additionalProperties: false` twice; the `boolean` twin says only "schema is false".
  const issue = issues.find((i) => i.keyword !== 'boolean') ?? issues[0];
  if (issue === undefined) return { field: '', message: 'is invalid' };
  const base = pointerToPath(issue.instancePath);
  const p = issue.params;
  if (issue.keyword === 'required') {
    const missing = Array.isArray(p.requiredProperties)
      ? String(p.requiredProperties[0])
      : String(p.missingProperty);
    const field = join(base, missing);
    return { field, message: `${field} is required` };
  }
  if (issue.keyword === 'additionalProperties') {
    const extra = Array.isArray(p.additionalProperties)
      ? String(p.additionalProperties[0])
      : String(p.additionalProperty);
    const field = join(base, extra);
    return { field, message: `${field} is not an allowed property` };
  }
  const field = base === '' ? '(body)' : base;
  if (issue.keyword === 'const' || issue.keyword === 'enum') {
    // A union of literals fails once per member: list every allowed value at this path.
    const allowed = issues
      .filter((i) => i.instancePath === issue.instancePath)
      .flatMap((i) =>
        i.keyword === 'const'
          ? [i.params.allowedValue]
          : i.keyword === 'enum' && Array.isArray(i.params.allowedValues)
            ? (i.params.allowedValues as unknown[])
            : [],
      )
      .map((v) => JSON.stringify(v));
    return {
      field,
      message:
        allowed.length === 1
          ? `${field} must be ${allowed.join('')}`
          : `${field} must be one of ${allowed.join(', ')}`,
    };
  }
  return { field, message: `${field} ${issue.message ?? 'is invalid'}` };
}
