import { BlockList } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  errorResponses,
  RppgFrameSchema,
  RppgSeedBpmSchema,
  RppgStatusSchema,
} from '@vigil/protocol';
import { Type } from 'typebox';
import type { Services } from '../../../../composition.js';
import { parseNetwork, type Config } from '../../../../config/env.js';
import { DomainError } from '../../../../errors/catalogue.js';
import { sendMjpeg } from '../../mjpeg.js';

type Camera = NonNullable<Config['rppgCamera']>;

/** Loopback, plus RPPG_CAMERA_ALLOWED_NETWORKS. */
function allowedAddresses(camera: Camera): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const text of camera.allowedNetworks) {
    const net = parseNetwork(text);
    if (net !== null) list.addSubnet(net.address, net.prefix, net.family);
  }
  return list;
}

function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether a request may read the bedside camera: an allowed address, or the camera key. */
export function cameraAccessCheck(camera: Camera): (request: FastifyRequest) => boolean {
  const allowed = allowedAddresses(camera);
  return (request) => {
    if (camera.key !== undefined) {
      const header = request.headers['x-camera-key'];
      const query = (request.query as { key?: unknown }).key;
      const given = typeof header === 'string' ? header : typeof query === 'string' ? query : '';
      if (given !== '' && sameKey(given, camera.key)) return true;
    }
    const ip = request.ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    const family = ip.includes(':') ? 'ipv6' : 'ipv4';
    try {
      return allowed.check(ip, family);
    } catch {
      return false;
    }
  };
}

const KeyQuerySchema = Type.Object({
  key: Type.Optional(Type.String({ description: 'The camera key (RPPG_CAMERA_KEY)' })),
});
const security = [{ cameraKey: [] }];

/**
 * Seed 001's root paths for the bedside camera, registered only when RPPG_CAMERA_SOURCE is set:
 * `/bpm`, `/status`, `/current_frame`, `/video_feed` in the seed's shapes, so its React page and
 * Streamlit dashboard work unchanged. No token (the seed has none): loopback clients only, unless
 * RPPG_CAMERA_ALLOWED_NETWORKS or RPPG_CAMERA_KEY admit others (docs/configuration.md).
 */
export function seed001Routes(
  app: FastifyInstance,
  options: { rppg: Services['rppg']; camera: Camera },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { rppg } = options;
  const mayRead = cameraAccessCheck(options.camera);
  app.addHook('onRequest', (request, _reply, next) => {
    next(mayRead(request) ? undefined : new DomainError('CAMERA_ACCESS_DENIED'));
  });
  const common = { tags: ['rppg', 'compat'], security, querystring: KeyQuerySchema };
  // The camera watches one patient: every read of it is a read of that patient's data.
  const config = {
    audit: {
      action: 'heart_rate.read',
      resourceType: 'rppg_camera',
      patientId: options.camera.patientId,
    },
  };

  r.get(
    '/bpm',
    {
      config,
      schema: {
        ...common,
        summary: 'Bedside camera heart rate (seed 001 HeartRateResponse; bpm 0 = no reading)',
        response: { 200: RppgSeedBpmSchema, ...errorResponses(403, 503) },
      },
    },
    () => rppg.bedsideBpm(),
  );
  r.get(
    '/status',
    {
      config,
      schema: {
        ...common,
        summary: 'Bedside camera status (seed 001 SystemStatusResponse)',
        response: { 200: RppgStatusSchema, ...errorResponses(403) },
      },
    },
    () => rppg.bedsideStatus(),
  );
  r.get(
    '/current_frame',
    {
      config,
      schema: {
        ...common,
        summary: 'Bedside camera: the latest frame as a base64 JPEG with face box and BPM',
        response: { 200: RppgFrameSchema, ...errorResponses(403, 503) },
      },
    },
    () => rppg.bedsideFrame(),
  );
  r.get(
    '/video_feed',
    {
      config,
      schema: {
        ...common,
        summary: 'Bedside camera MJPEG stream (multipart/x-mixed-replace; boundary=frame)',
        response: {
          200: Type.String({ description: 'multipart/x-mixed-replace; boundary=frame' }),
          ...errorResponses(403, 503),
        },
      },
    },
    async (_request, reply) => {
      const abort = new AbortController();
      await sendMjpeg(reply, rppg.bedsideFeed(abort.signal), abort);
    },
  );
  done();
}

/** Seed 001's bedside root paths. */
export const SEED_001_ROOT_PATHS = ['/bpm', '/status', '/current_frame', '/video_feed'] as const;

/**
 * The same root paths without a bedside camera (RPPG_CAMERA_SOURCE unset): 404
 * CAMERA_NOT_CONFIGURED, as documented. Unrouted, they fell through to the dashboard's page
 * fallback, which answered 200 with index.html, and seed 001's clients polling `/bpm` read HTML
 * as their JSON. Hidden from the OpenAPI document, like the routes themselves when no camera is
 * configured.
 */
export function seed001NotConfiguredRoutes(
  app: FastifyInstance,
  _options: unknown,
  done: (error?: Error) => void,
): void {
  for (const path of SEED_001_ROOT_PATHS)
    app.get(path, { schema: { hide: true } }, () => {
      throw new DomainError('CAMERA_NOT_CONFIGURED');
    });
  done();
}
