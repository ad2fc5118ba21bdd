import { Type, type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { validationErrors } from './validation-errors.js';

/** Most packets in one batch request (10 minutes of 1 s packets). */
export const MAX_BATCH_PACKETS = 600;

/** A device body: one packet, or an array of them (a device catching up after being offline). */
export function deviceBodySchema<T extends TSchema>(packet: T) {
  return Type.Union([packet, Type.Array(packet, { minItems: 1, maxItems: MAX_BATCH_PACKETS })], {
    description: 'One packet, or an array of packets (a device catching up after being offline)',
  });
}

export type DeviceBodyCheck<T> =
  | { value: T | T[]; errors?: undefined }
  | { value?: undefined; errors: TLocalizedValidationError[] };

/**
 * Validates a device body against the branch its shape selects (array → batch, else one
 * packet), so an error names the field (`[2].spo2_percent`) instead of "matches no branch".
 * Used by the HTTP routes and the MQTT transport alike.
 */
export function deviceBodyValidator<T extends TSchema>(
  packet: T,
): (input: unknown) => DeviceBodyCheck<Static<T>> {
  const batch = Type.Array(packet, { minItems: 1, maxItems: MAX_BATCH_PACKETS });
  const checkPacket = Compile(packet);
  const checkBatch = Compile(batch);
  return (input) => {
    const [check, schema] = Array.isArray(input) ? [checkBatch, batch] : [checkPacket, packet];
    if (check.Check(input)) return { value: input };
    return { errors: validationErrors(schema, input) };
  };
}
