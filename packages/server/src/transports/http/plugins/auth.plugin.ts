import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '@vigil/protocol';
import { DomainError } from '../../../errors/catalogue.js';
import type { AuthService } from '../../../services/auth.service.js';
import type { DeviceAuth, DevicesService } from '../../../services/devices.service.js';
import type { AuthUser } from '../../../services/user-view.js';

export type AuthHook = (request: FastifyRequest) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: a valid `Authorization: Bearer <JWT>` sets `request.user`, else 401. */
    authenticate: AuthHook;
    /** onRequest hook after `authenticate`: 403 FORBIDDEN unless the user has one of the roles. */
    requireRole: (...roles: Role[]) => AuthHook;
    /** onRequest hook: a valid `X-API-Key` sets `request.deviceAuth`, else 401. */
    authenticateDevice: AuthHook;
  }
  interface FastifyRequest {
    user: AuthUser | null;
    deviceAuth: DeviceAuth | null;
  }
}

export interface AuthPluginOptions {
  auth: Pick<AuthService, 'authenticate'>;
  devices: Pick<DevicesService, 'authenticateKey'>;
}

/** The signed-in user of a route guarded by `app.authenticate`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (request.user === null) throw new DomainError('UNAUTHENTICATED');
  return request.user;
}

/** The device credentials of a route guarded by `app.authenticateDevice`. */
export function currentDevice(request: FastifyRequest): DeviceAuth {
  if (request.deviceAuth === null) throw new DomainError('API_KEY_INVALID');
  return request.deviceAuth;
}

/** Bearer token (RFC 6750 §2.1) or undefined when the header is absent. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) throw new DomainError('TOKEN_INVALID');
  return match[1];
}

function authPlugin(
  app: FastifyInstance,
  options: AuthPluginOptions,
  done: (error?: Error) => void,
): void {
  app.decorateRequest('user', null);
  app.decorateRequest('deviceAuth', null);

  app.decorate('authenticate', async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token === undefined) throw new DomainError('UNAUTHENTICATED');
    request.user = await options.auth.authenticate(token);
  });

  app.decorate('requireRole', (...roles: Role[]): AuthHook => {
    const allowed = new Set(roles);
    return (request) => {
      const user = currentUser(request);
      if (!allowed.has(user.role)) return Promise.reject(new DomainError('FORBIDDEN'));
      return Promise.resolve();
    };
  });

  app.decorate('authenticateDevice', async (request: FastifyRequest) => {
    const header = request.headers['x-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || key === '') throw new DomainError('API_KEY_INVALID');
    request.deviceAuth = await options.devices.authenticateKey(key);
  });
  done();
}

export default fp(authPlugin, { name: 'vigil-auth', fastify: '5.x' });
