import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  errorResponses,
  HeartRateHistoryQuerySchema,
  HeartRateHistorySchema,
  PatientParamsSchema,
  RPPG_VIDEO_LIMITS,
  RppgBpmSchema,
  RppgFrameSchema,
  RppgSessionCreateSchema,
  RppgSessionParamsSchema,
  RppgSessionSchema,
  RppgStatusSchema,
  RppgVideoResultSchema,
} from '@vigil/protocol';
import { Type } from 'typebox';
import type { Services } from '../../../composition.js';
import { DomainError } from '../../../errors/catalogue.js';
import { sendMjpeg } from '../mjpeg.js';
import { currentUser } from '../plugins/auth.plugin.js';
import { inBody, inParams } from '../plugins/audit.plugin.js';

type Rppg = Services['rppg'];

/**
 * An uploaded video, streamed to a temporary file (never held in memory). A class, checked with
 * `instanceof`, because only the video content-type parser below creates one: a JSON body with
 * `path` and `dir` strings must never reach ffmpeg or the clean-up `rm` (it would read and
 * delete files of the server's choosing).
 */
class SpooledVideo {
  constructor(
    readonly path: string,
    readonly dir: string,
  ) {}
}

/**
 * Streams a request body to a temporary file, failing with RPPG_VIDEO_TOO_LARGE as soon as it
 * passes the limit (or at once when Content-Length says it will).
 */
async function spool(body: Readable, declaredLength: number): Promise<SpooledVideo> {
  if (declaredLength > RPPG_VIDEO_LIMITS.maxBytes) {
    body.resume();
    throw new DomainError('RPPG_VIDEO_TOO_LARGE', { field: 'video' });
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-rppg-'));
  const file = path.join(dir, 'upload');
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > RPPG_VIDEO_LIMITS.maxBytes)
        done(new DomainError('RPPG_VIDEO_TOO_LARGE', { field: 'video' }));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(body, limit, createWriteStream(file));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return new SpooledVideo(file, dir);
}

const security = [{ bearerAuth: [] }];

/** A session route's audit declaration: the session id names the patient. */
const sessionAudit = (action: string) => ({
  action,
  resourceType: 'rppg_session',
  resource: inParams('id', 'rppg_session'),
});

/** `/api/v1/rppg`: camera heart-rate sessions, uploads and seed 001's answers per session. */
export function rppgRoutes(
  app: FastifyInstance,
  options: { rppg: Rppg },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { rppg } = options;

  app.addContentTypeParser(
    [...RPPG_VIDEO_LIMITS.contentTypes],
    (request, payload, parsed: (err: Error | null, body?: SpooledVideo) => void) => {
      spool(payload, Number(request.headers['content-length'] ?? 0)).then(
        (v) => {
          parsed(null, v);
        },
        (error: unknown) => {
          parsed(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  );

  r.post(
    '/sessions',
    {
      config: {
        audit: {
          action: 'rppg_session.create',
          resourceType: 'rppg_session',
          patient: inBody('patient_id', 'patient'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary: 'Start a camera heart-rate session for a patient you may act for',
        security,
        body: RppgSessionCreateSchema,
        response: { 201: RppgSessionSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const session = await rppg.create(currentUser(request), request.body);
      return reply.status(201).send(session);
    },
  );

  r.post(
    '/sessions/:id/video',
    {
      config: {
        audit: sessionAudit('rppg_session.upload'),
        bodyMediaTypes: {
          types: RPPG_VIDEO_LIMITS.contentTypes,
          how: 'the file itself as the body',
        },
      },
      onRequest: [app.authenticate],
      // The body is spooled before params are validated: a refused request (an id over 64
      // characters) never reached the handler's clean-up and left its file, up to 200 MB, in
      // the temporary folder. Removed once answered, whatever the outcome; not awaited, so the
      // route's other onResponse hooks (the audit record) do not wait on the disk.
      onResponse: (request, _reply, done) => {
        if (request.body instanceof SpooledVideo)
          rm(request.body.dir, { recursive: true, force: true }).catch((err: unknown) => {
            request.log.warn({ err }, 'could not remove a spooled rPPG upload');
          });
        done();
      },
      schema: {
        tags: ['rppg'],
        summary: 'Upload a video (MP4, WebM or MOV as the raw body, at most 200 MB and 5 min)',
        description:
          'The body is the file itself with its Content-Type (video/mp4, video/webm or ' +
          'video/quicktime). It is spooled to disk and decoded frame by frame with ffmpeg. The ' +
          'readings (one per 5 s) are stored as heart-rate observations only when the whole ' +
          'video was analysed.',
        security,
        params: RppgSessionParamsSchema,
        response: {
          200: RppgVideoResultSchema,
          ...errorResponses(401, 404, 409, 413, 415, 500),
        },
      },
    },
    async (request) => {
      const video = request.body;
      if (!(video instanceof SpooledVideo))
        throw new DomainError('RPPG_NOT_A_VIDEO', { field: 'video' });
      try {
        return await rppg.uploadVideo(currentUser(request), request.params.id, video.path);
      } finally {
        await rm(video.dir, { recursive: true, force: true });
      }
    },
  );

  r.get(
    '/sessions/:id/bpm',
    {
      config: { audit: sessionAudit('rppg_session.read') },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary:
          "The session's heart rate (seed 001 HeartRateResponse; bpm null without a reading)",
        security,
        params: RppgSessionParamsSchema,
        response: { 200: RppgBpmSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => rppg.bpm(currentUser(request), request.params.id),
  );

  r.get(
    '/sessions/:id/status',
    {
      config: { audit: sessionAudit('rppg_session.read') },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary: "The session's camera status (seed 001 SystemStatusResponse)",
        security,
        params: RppgSessionParamsSchema,
        response: { 200: RppgStatusSchema, ...errorResponses(401, 404) },
      },
    },
    (request) => rppg.status(currentUser(request), request.params.id),
  );

  r.get(
    '/sessions/:id/current_frame',
    {
      config: { audit: sessionAudit('rppg_session.read') },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary: 'The latest frame as a base64 JPEG with the face box and BPM drawn',
        security,
        params: RppgSessionParamsSchema,
        response: { 200: RppgFrameSchema, ...errorResponses(401, 404, 503) },
      },
    },
    (request) => rppg.currentFrame(currentUser(request), request.params.id),
  );

  r.get(
    '/sessions/:id/video_feed',
    {
      config: { audit: sessionAudit('rppg_session.read') },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary: 'MJPEG stream (multipart/x-mixed-replace; boundary=frame) of annotated frames',
        security,
        params: RppgSessionParamsSchema,
        response: {
          200: Type.String({ description: 'multipart/x-mixed-replace; boundary=frame' }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request, reply) => {
      const abort = new AbortController();
      const frames = await rppg.videoFeed(currentUser(request), request.params.id, abort.signal);
      await sendMjpeg(reply, frames, abort);
    },
  );
  done();
}

/** `/api/v1/patients/{patient_id}/heart-rate`: devices' and camera heart rate together. */
export function heartRateRoutes(
  app: FastifyInstance,
  options: { rppg: Rppg },
  done: (error?: Error) => void,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/:id/heart-rate',
    {
      config: {
        audit: {
          action: 'heart_rate.read',
          resourceType: 'heart_rate',
          patient: inParams('id', 'patient'),
        },
      },
      onRequest: [app.authenticate],
      schema: {
        tags: ['rppg'],
        summary: "A patient's heart rate from devices and camera measurements, oldest first",
        security,
        params: PatientParamsSchema,
        querystring: HeartRateHistoryQuerySchema,
        response: { 200: HeartRateHistorySchema, ...errorResponses(400, 401, 404) },
      },
    },
    (request) =>
      options.rppg.heartRateHistory(currentUser(request), request.params.id, request.query),
  );
  done();
}
