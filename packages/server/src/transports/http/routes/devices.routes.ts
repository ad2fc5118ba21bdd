import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { DevicesService } from '../../../services/devices.service.js';
import { currentUser } from '../plugins/auth.plugin.js';
import {
  errorResponses,
  IdParamsSchema,
  NoContentSchema,
  DeviceListQuerySchema,
  DeviceListSchema,
  DeviceSchema,
  DeviceWithKeySchema,
  RegisterDeviceBodySchema,
  UpdateDeviceBodySchema,
} from '@vigil/protocol';
import { inBody, inParams } from '../plugins/audit.plugin.js';

export function devicesRoutes(
  app: FastifyInstance,
  options: { devices: DevicesService },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { devices } = options;
  const security = [{ bearerAuth: [] }];
  r.addHook('onRequest', app.authenticate);

  r.post(
    '/register',
    {
      config: {
        audit: {
          action: 'device.create',
          resourceType: 'device',
          patient: inBody('patient_id', 'patient'),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'Register a device; the response carries its API key, shown once',
        security,
        body: RegisterDeviceBodySchema,
        response: { 201: DeviceWithKeySchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const device = await devices.register(currentUser(request), request.body);
      return reply.status(201).send(device);
    },
  );

  r.get(
    '/',
    {
      config: { audit: { action: 'device.list', resourceType: 'device' } },
      schema: {
        tags: ['devices'],
        summary:
          "Devices in service you may see (admin: all; doctor: your patients' devices; patient: yours); include_retired=true adds the retired ones",
        security,
        querystring: DeviceListQuerySchema,
        response: { 200: DeviceListSchema, ...errorResponses(400, 401) },
      },
    },
    (request) => devices.list(currentUser(request), request.query),
  );

  r.get(
    '/:id',
    {
      config: {
        audit: {
          action: 'device.read',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'A device you may see, retired or not (retired_at)',
        security,
        params: IdParamsSchema,
        response: { 200: DeviceSchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) => devices.get(currentUser(request), request.params.id),
  );

  r.put(
    '/:id',
    {
      config: {
        audit: {
          action: 'device.update',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'Rename a device or assign it to a patient',
        security,
        params: IdParamsSchema,
        body: UpdateDeviceBodySchema,
        response: { 200: DeviceSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (request) => devices.update(currentUser(request), request.params.id, request.body),
  );

  r.post(
    '/:id/rotate-key',
    {
      config: {
        audit: {
          action: 'device.rotate_key',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags: ['devices'],
        summary: 'Issue a new API key; the old one stops working at once',
        security,
        params: IdParamsSchema,
        response: { 200: DeviceWithKeySchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    (request) => devices.rotateKey(currentUser(request), request.params.id),
  );

  r.delete(
    '/:id',
    {
      config: {
        audit: {
          action: 'device.retire',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags: ['devices'],
        summary:
          "Retire a device: its key stops working, it takes no data and leaves device lists, its device_id is never registered again; every reading it stored stays in its patients' records",
        security,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await devices.retire(currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  r.post(
    '/:id/purge',
    {
      config: {
        audit: {
          action: 'device.purge',
          resourceType: 'device',
          resource: inParams('id', 'device_row'),
        },
      },
      schema: {
        tags: ['devices'],
        summary:
          'Admin: erase a device and every reading it stored, for every patient it served (an erasure request); its device_id is free again',
        security,
        params: IdParamsSchema,
        response: { 204: NoContentSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await devices.purge(currentUser(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  done();
}
