import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
  type FastifyReply,
} from 'fastify';
import type { DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import type { Services } from './composition.js';
import type { Config } from './config/env.js';
import { DomainError } from './errors/catalogue.js';
import { errorHandler } from './transports/http/error-handler.js';
import { pathParamTooLong } from './transports/http/path-param-limit.js';
import { fhirErrorHandler } from './transports/http/routes/fhir/fhir-outcome.js';
import { registerJsonBodyParser } from './transports/http/json-body-parser.js';
import { QuietRequestLog } from './transports/http/request-log.js';
import auditPlugin from './transports/http/plugins/audit.plugin.js';
import authPlugin from './transports/http/plugins/auth.plugin.js';
import loadSheddingPlugin from './transports/http/plugins/load-shedding.plugin.js';
import { closeWebSockets } from './transports/ws/close-websockets.js';
import { selectWsProtocol } from './transports/ws/ws-protocols.js';
import metricsPlugin from './transports/http/plugins/metrics.plugin.js';
import { registerRoutes } from './transports/http/routes/index.js';
import { validatorCompiler } from './transports/http/validator.js';

export interface AppDeps {
  config: Config;
  services: Services;
  metrics: Registry;
  /** Extra plugins registered last, after every API route (e.g. serving the built dashboard). */
  plugins?: (FastifyPluginAsync | FastifyPluginCallback)[];
  /** Where logs go (default stdout); tests capture them here. */
  logStream?: DestinationStream;
}

/** Headers whose values never reach the logs (credentials). */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * Content-Security-Policy of every response (the dashboard, /docs and the API): scripts, fonts,
 * images and connections from this origin only (`'self'` covers the same-origin WebSocket), no
 * inline or injected script, no plugins, no framing. Styles may be inline: Swagger UI adds a
 * `<style>` element, charts position tooltips with `style` attributes, and Playwright's
 * screenshots (the dashboard's browser test) inject one; a style cannot run code. No
 * `upgrade-insecure-requests`: a development server on plain http over the LAN must still load.
 */
const CSP = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  // A cry clip plays from a blob: URL: the dashboard fetches it with the user's token first.
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  workerSrc: ["'self'", 'blob:'],
};

/**
 * Builds the whole HTTP application from its dependencies. Never listens: server.ts does that,
 * tests use `app.inject()`.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: REDACT,
      serializers: {
        // The WebSocket endpoint accepts the access token as `?token=` (browsers cannot set
        // headers on a WebSocket): keep it out of the logged URL.
        req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: req.url.replace(/([?&]token=)[^&]*/g, '$1[redacted]'),
          host: req.host,
          remoteAddress: req.ip,
        }),
      },
      ...(deps.logStream === undefined ? {} : { stream: deps.logStream }),
    },
    logController: new QuietRequestLog(),
    // Errors the router raises before any hook (a malformed URL, a path parameter over 100
    // characters: Fastify's own 400/414 bodies) get the catalogue's shape too.
    frameworkErrors: (error, request, reply) => {
      const refused =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? pathParamTooLong()
          : new DomainError('MALFORMED_REQUEST', { message: 'The URL could not be decoded' });
      const plain = reply as FastifyReply;
      // Router errors come before any plugin's own handler: a FHIR URL still gets its
      // OperationOutcome (routes/fhir/fhir-outcome.ts).
      const handler = request.url.startsWith('/fhir/') ? fhirErrorHandler : errorHandler;
      void plain.send(handler(refused, request, plain));
    },
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // Bodies such as 12-lead ECGs (5000 × 12 samples as JSON) exceed Fastify's 1 MiB default.
    bodyLimit: config.limits.bodyBytes,
    // Fastify's default is no request timeout: a body that never finishes held its socket for
    // good (slowloris). Node checks the deadline every `connectionsCheckingInterval`.
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.connectionTimeoutMs,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, config.limits.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(100, config.limits.requestTimeoutMs / 4),
      ),
    },
  });
  // Sockets beyond the cap are closed by Node before a byte is read (0: no cap).
  if (config.limits.maxConnections > 0) app.server.maxConnections = config.limits.maxConnections;
  app.setValidatorCompiler(validatorCompiler);
  registerJsonBodyParser(app, { maxDepth: config.limits.jsonMaxDepth });
  // Fastify parses text/plain by default, so a JSON endpoint met a string and answered 400 "body
  // must be object". No endpoint takes text: it is 415 like any other type nobody parses.
  app.removeContentTypeParser('text/plain');
  // Echo the request id so a client can quote it and an operator find the log lines.
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.setErrorHandler(errorHandler);
  await app.register(loadSheddingPlugin, {
    maxInFlight: config.limits.maxInFlight,
    maxEventLoopDelayMs: config.limits.maxEventLoopDelayMs,
    maxQueueWaitMs: config.limits.maxQueueWaitMs,
    maxHeapUsedBytes: config.limits.maxHeapUsedBytes,
  });
  app.setNotFoundHandler((request) => {
    throw new DomainError('ROUTE_NOT_FOUND', {
      message: `No endpoint ${request.method} ${request.url.split('?')[0] ?? ''}`,
    });
  });

  await app.register(cors, {
    origin:
      config.corsOrigins.length === 0
        ? !config.isProduction // development: reflect any origin; production: same-origin only
        : config.corsOrigins.includes('*')
          ? true
          : config.corsOrigins,
    credentials: true,
  });
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP } });
  await app.register(formbody);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', { retryAfterSeconds: context.ttl / 1000 }),
  });
  // Subprotocol authentication (`vigil.v1`, `vigil.bearer.<token>`): see ws-protocols.ts.
  await app.register(websocket, {
    options: { handleProtocols: (offered) => selectWsProtocol(offered) },
    // Clients that do not answer the close frame are cut after a grace: see close-websockets.ts.
    preClose: async () => closeWebSockets(app.websocketServer),
  });
  await app.register(swagger, {
    // A collection route is `/` under its prefix, so Fastify answers `/api/v1/users` and
    // `/api/v1/users/`; the document publishes the first, as the seeds and the README write it.
    transform: ({ schema, url }) => ({
      schema,
      url: url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url,
    }),
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        description: 'Remote patient monitoring: identity, devices, vitals, analysis, alerts.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          deviceKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(authPlugin, { auth: deps.services.auth, devices: deps.services.devices });
  // Set by an upload route that handed the request to the device's owner (forward-to-owner.ts).
  app.decorateRequest('forwardedToOwner', false);
  await app.register(auditPlugin, { recorder: deps.services.audit });
  await app.register(metricsPlugin, { registry: deps.metrics });
  await registerRoutes(app, deps);
  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  await app.ready();
  return app;
}
