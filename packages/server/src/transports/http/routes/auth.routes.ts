import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { validationFailed } from '../../../errors/catalogue.js';
import type { AuthService } from '../../../services/auth.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  LoginBodySchema,
  ProfileBodySchema,
  RefreshBodySchema,
  RegisterBodySchema,
  TokenResponseSchema,
  type LoginBody,
  errorResponses,
  NoContentSchema,
  MeSchema,
  UserSchema,
} from '@vigil/protocol';

export interface AuthRoutesOptions {
  auth: AuthService;
  /** Sign-in attempts per minute per client IP (429 with Retry-After beyond). */
  loginRatePerMinute: number;
  /** Largest body accepted by the /auth routes, bytes (AUTH_BODY_LIMIT_KIB). */
  bodyLimit: number;
  /**
   * Seed 002's shape for `POST /register`: 201 with the created user (`id`, `email`, `name`,
   * `created_at`, …), as its clients read it, instead of the tokens, and an email already
   * registered answered 400 (its contract) instead of 409. Default false.
   */
  registerAnswersUser?: boolean;
  /** OpenAPI tag of these operations, default 'auth'. */
  tag?: string;
}

const FORM_OR_JSON = ['application/json', 'application/x-www-form-urlencoded'];

export function authRoutes(
  app: FastifyInstance,
  options: AuthRoutesOptions,
  done: (error?: Error) => void,
): void {
  // Sign-in bodies are a few hundred bytes: the app's 8 MiB limit (for 12-lead ECGs) would let
  // an unauthenticated client make the server buffer and parse megabytes per request.
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= options.bodyLimit;
  });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = options;
  const rateLimit = { max: options.loginRatePerMinute, timeWindow: 60_000 };
  // Every sign-in, successful or not, is on record with the account it was for (if any).
  const signIn = { action: 'auth.login', resourceType: 'session', signIn: true };
  const bearer = [{ bearerAuth: [] }];
  const tags = [options.tag ?? 'auth'];

  r.post(
    '/register',
    {
      config: {
        rateLimit,
        audit: { action: 'auth.register', resourceType: 'user', signIn: true },
        // Seed 002 answers an email already registered with 400 ("Email already registered").
        ...(options.registerAnswersUser ? { errorStatus: { EMAIL_TAKEN: 400 } } : {}),
      },
      schema: {
        tags,
        summary: options.registerAnswersUser
          ? 'Create a patient account (answers the user, as seed 002; sign in with /token or /login)'
          : 'Create a patient account and sign in',
        body: RegisterBodySchema,
        response: {
          201: options.registerAnswersUser ? UserSchema : TokenResponseSchema,
          ...(options.registerAnswersUser
            ? errorResponses(400, 429)
            : errorResponses(400, 409, 429)),
        },
      },
    },
    async (request, reply) => {
      const tokens = await auth.register(request.body);
      return reply.status(201).send(options.registerAnswersUser ? tokens.user : tokens);
    },
  );

  const loginSchema = (summary: string) => ({
    tags,
    summary,
    consumes: FORM_OR_JSON,
    body: LoginBodySchema,
    response: { 200: TokenResponseSchema, ...errorResponses(400, 401, 429) },
  });
  const login = (body: LoginBody) => {
    const email = body.email ?? body.username;
    if (email === undefined)
      throw validationFailed('email', 'email is required (username in the OAuth2 form)');
    return auth.login(email, body.password);
  };
  r.post(
    '/login',
    {
      config: { rateLimit, audit: signIn },
      schema: loginSchema('Sign in (JSON {email, password} or OAuth2 form)'),
    },
    (request) => login(request.body),
  );
  r.post(
    '/token',
    {
      config: { rateLimit, audit: signIn },
      schema: loginSchema('OAuth2 password grant (alias of /login)'),
    },
    (request) => login(request.body),
  );

  r.post(
    '/refresh',
    {
      config: { rateLimit, audit: { action: 'auth.refresh', resourceType: 'session' } },
      schema: {
        tags,
        summary: 'Exchange a refresh token for new tokens (the old one stops working)',
        consumes: FORM_OR_JSON,
        body: RefreshBodySchema,
        response: { 200: TokenResponseSchema, ...errorResponses(400, 401, 429) },
      },
    },
    (request) => auth.refresh(request.body.refresh_token),
  );

  r.post(
    '/logout',
    {
      config: { audit: { action: 'auth.logout', resourceType: 'session' } },
      schema: {
        tags,
        summary: 'Revoke a refresh token (and its rotation family)',
        body: RefreshBodySchema,
        response: { 204: NoContentSchema, ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      await auth.logout(request.body.refresh_token);
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/me',
    {
      config: { audit: { action: 'user.read', resourceType: 'user' } },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'The signed-in user',
        security: bearer,
        response: { 200: MeSchema, ...errorResponses(401) },
      },
    },
    (request) => auth.me(currentUser(request)),
  );

  r.put(
    '/profile',
    {
      config: { audit: { action: 'user.update', resourceType: 'user' } },
      onRequest: [app.authenticate],
      schema: {
        tags,
        summary: 'Update your name and health profile',
        security: bearer,
        body: ProfileBodySchema,
        response: { 200: MeSchema, ...errorResponses(400, 401) },
      },
    },
    (request) => auth.updateProfile(currentUser(request), request.body),
  );
  done();
}
