import { Type, type Static } from 'typebox';
import {
  EmailSchema,
  HealthProfileSchema,
  NameSchema,
  PasswordSchema,
  UserSchema,
} from './users.js';

export const RegisterBodySchema = Type.Object({
  email: EmailSchema,
  password: PasswordSchema,
  name: NameSchema,
});
export type RegisterBody = Static<typeof RegisterBodySchema>;

/**
 * Both sign-in shapes: the OAuth2 password-grant form (`username`, `password`; seeds 000, 003,
 * RFC 6749 §4.3) and JSON `{email, password}` (seed 002). One of email/username is required.
 */
export const LoginBodySchema = Type.Object({
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  grant_type: Type.Optional(Type.Literal('password')),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
});
export type LoginBody = Static<typeof LoginBodySchema>;

export const RefreshBodySchema = Type.Object({
  refresh_token: Type.String({ minLength: 1, maxLength: 512 }),
  grant_type: Type.Optional(Type.Literal('refresh_token')),
});
export type RefreshBody = Static<typeof RefreshBodySchema>;

export const ProfileBodySchema = Type.Object(
  {
    name: Type.Optional(NameSchema),
    health_profile: Type.Optional(Type.Union([HealthProfileSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ProfileBody = Static<typeof ProfileBodySchema>;

export const TokenResponseSchema = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Access-token lifetime in seconds' }),
    refresh_token: Type.String({ description: 'Single-use; each refresh returns a new one' }),
    user: UserSchema,
  },
  { title: 'TokenResponse' },
);
export type TokenResponse = Static<typeof TokenResponseSchema>;
