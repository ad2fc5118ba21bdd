import { Type, type Static } from 'typebox';
import { IsoDateTime, PaginationQuerySchema } from './common.js';

export const RoleSchema = Type.Union([
  Type.Literal('admin'),
  Type.Literal('doctor'),
  Type.Literal('patient'),
]);
export type Role = Static<typeof RoleSchema>;

const Items = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 });

export const HealthProfileSchema = Type.Object(
  {
    age: Type.Optional(Type.Integer({ minimum: 0, maximum: 150, description: 'years' })),
    sex: Type.Optional(
      Type.Union([Type.Literal('male'), Type.Literal('female'), Type.Literal('other')]),
    ),
    height_cm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 300 })),
    weight_kg: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 700 })),
    conditions: Type.Optional(Items),
    medications: Type.Optional(Items),
    // The cardiac-monitor app's risk factors (seed 000, lib/models/user.dart HealthProfile).
    diabetic: Type.Optional(Type.Boolean()),
    hypertensive: Type.Optional(Type.Boolean()),
    smoker: Type.Optional(Type.Boolean()),
    family_history: Type.Optional(
      Type.Boolean({ description: 'Family history of cardiovascular disease' }),
    ),
    known_conditions: Type.Optional(Items),
  },
  { additionalProperties: false, title: 'HealthProfile' },
);
export type HealthProfile = Static<typeof HealthProfileSchema>;

export const EmailSchema = Type.String({ format: 'email', maxLength: 254 });
/** Strength rules (length, letter + digit) are checked by the service: WEAK_PASSWORD. */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 1024 });
export const NameSchema = Type.String({ minLength: 1, maxLength: 200 });

/** A user as every endpoint returns it: the response schema is what keeps the hash out. */
export const UserSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    name: Type.String(),
    role: RoleSchema,
    doctor_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: "A patient's doctor",
    }),
    health_profile: Type.Union([HealthProfileSchema, Type.Null()]),
    created_at: IsoDateTime,
    updated_at: IsoDateTime,
  },
  { title: 'User' },
);
export type User = Static<typeof UserSchema>;

/** The signed-in user (`/auth/me`, `PUT /auth/profile`) with the devices they may see. */
export const MeSchema = Type.Object(
  {
    ...UserSchema.properties,
    device_ids: Type.Array(Type.String(), {
      description: "Hardware ids of the devices the user may see (the app's User.deviceIds)",
    }),
  },
  { title: 'Me' },
);
export type Me = Static<typeof MeSchema>;

export const CreateUserBodySchema = Type.Object({
  email: EmailSchema,
  password: PasswordSchema,
  name: NameSchema,
  role: Type.Optional(RoleSchema),
});
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

export const UpdateUserBodySchema = Type.Object(
  {
    email: Type.Optional(EmailSchema),
    password: Type.Optional(PasswordSchema),
    name: Type.Optional(NameSchema),
    role: Type.Optional(RoleSchema),
    health_profile: Type.Optional(Type.Union([HealthProfileSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateUserBody = Static<typeof UpdateUserBodySchema>;

export const UserListSchema = Type.Array(UserSchema);
export const UserListQuerySchema = PaginationQuerySchema;
export const VisibleUsersQuerySchema = Type.Object({
  ...PaginationQuerySchema.properties,
  role: Type.Optional({ ...RoleSchema, description: 'only users of this role' }),
});
export type VisibleUsersQuery = Static<typeof VisibleUsersQuerySchema>;
