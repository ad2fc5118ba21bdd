import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { UsersService } from '../../../services/users.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  errorResponses,
  IdParamsSchema,
  NoContentSchema,
  CreateUserBodySchema,
  UpdateUserBodySchema,
  UserListQuerySchema,
  UserListSchema,
  UserSchema,
  VisibleUsersQuerySchema,
} from '@vigil/protocol';
import { inParams } from '../plugins/audit.plugin.js';

export function usersRoutes(
  app: FastifyInstance,
  options: { users: UsersService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { users } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.post(
    '/',
    {
      config: { audit: { action: 'user.create', resourceType: 'user' } },
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin: doctors and admins; doctor: own patients)',
        security,
        body: CreateUserBodySchema,
        response: { 201: UserSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = await users.create(currentUser(request), request.body);
      return reply.status(201).send(user);
    },
  );

  r.get(
    '/',
    {
      config: { audit: { action: 'user.list', resourceType: 'user' } },
      schema: {
        tags: ['users'],
        summary:
          'Users you may see (admin: all; doctor: yourself and your patients; patient: yourself)',
        security,
        querystring: VisibleUsersQuerySchema,
        response: { 200: UserListSchema, ...errorResponses(400, 401) },
      },
    },
    (request) => users.listVisible(currentUser(request), request.query),
  );

  const list = (role: 'doctor' | 'admin' | 'patient', summary: string) =>
    r.get(
      `/${role}s`,
      {
        config: { audit: { action: 'user.list', resourceType: 'user' } },
        schema: {
          tags: ['users'],
          summary,
          security,
          querystring: UserListQuerySchema,
          response: { 200: UserListSchema, ...errorResponses(400, 401, 403) },
        },
      },
      (request) => users.list(currentUser(request), role, request.query),
    );
  list('doctor', 'List doctors (admin)');
  list('admin', 'List admins (admin)');
  list('patient', 'List patients (doctor: own; admin: all)');

  r.get(
    '/:id',
    {
      config: {
        audit: { action: 'user.read', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags: ['users'],
        summary: 'A user you may see',
        security,
        params: IdParamsSchema,
        response: { 200: UserSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => users.get(currentUser(request), request.params.id),
  );

  r.put(
    '/:id',
    {
      config: {
        audit: { action: 'user.update', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags: ['users'],
        summary: 'Update a user you manage (or yourself)',
        security,
        params: IdParamsSchema,
        body: UpdateUserBodySchema,
        response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => users.update(currentUser(request), request.params.id, request.body),
  );

  r.delete(
    '/:id',
    {
      config: {
        audit: { action: 'user.delete', resourceType: 'user', resource: inParams('id', 'user') },
      },
      schema: {
        tags: ['users'],
        summary: 'Delete a user you manage (a patient may delete themself)',
        security,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await users.delete(currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  done();
}
