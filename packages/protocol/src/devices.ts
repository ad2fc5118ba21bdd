import { Type, type Static } from 'typebox';
import { IsoDateTime, PaginationQuerySchema } from './common.js';

/** What firmware reports as its id (seed 000 `device_id`), e.g. `ESP32-A1B2C3`. */
export const DeviceIdSchema = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$',
  description: 'Hardware id: letters, digits and . _ : -, at most 64 characters',
});

const NullableUuid = Type.Union([Type.String({ format: 'uuid' }), Type.Null()]);

export const DeviceSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    device_id: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    patient_id: NullableUuid,
    owner_id: NullableUuid,
    api_key_prefix: Type.String({ description: 'Start of the current key, to recognise it' }),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
    last_seen_at: Type.Union([IsoDateTime, Type.Null()]),
  },
  { title: 'Device' },
);
export type Device = Static<typeof DeviceSchema>;

export const DeviceWithKeySchema = Type.Object(
  {
    ...DeviceSchema.properties,
    api_key: Type.String({ description: 'Shown once: only its hash is stored' }),
  },
  { title: 'DeviceWithKey' },
);

export const RegisterDeviceBodySchema = Type.Object({
  device_id: DeviceIdSchema,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  patient_id: Type.Optional(NullableUuid),
});
export type RegisterDeviceBody = Static<typeof RegisterDeviceBodySchema>;

export const UpdateDeviceBodySchema = Type.Object(
  {
    name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    patient_id: Type.Optional(NullableUuid),
  },
  { additionalProperties: false },
);
export type UpdateDeviceBody = Static<typeof UpdateDeviceBodySchema>;

export const DeviceListSchema = Type.Array(DeviceSchema);
export const DeviceListQuerySchema = PaginationQuerySchema;
