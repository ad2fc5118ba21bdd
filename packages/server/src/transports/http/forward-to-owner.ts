import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { preParsingAsyncHookHandler } from 'fastify';

/**
 * Hands a device's upload to the instance that analyses the device (several instances on one
 * PostgreSQL, docs/scaling.md). The alternative, storing the packet where it arrived and telling
 * the owner to read it back, costs a stored-timestamp read, a NOTIFY, a read-back and a commit
 * of its own per packet; one HTTP hop to the owner costs the owner what a packet sent to it
 * directly costs (`npm run bench:ingest -- --cluster`, docs/scaling.md, Throughput).
 */
export interface OwnerForwarding {
  /** The base URL of the device's owner when it is another instance (PartitionOwners). */
  ownerOf(deviceId: string): string | undefined;
  /** This instance's name, sent to the owner in the forwarded request's header. */
  instance: string;
  /** Sends the request to the owner (createOwnerClient). */
  client: OwnerClient;
  /** Counts forwards: answered by the owner, or handled here after a failure. */
  counted?(outcome: 'answered' | 'failed'): void;
}

/**
 * Names the instance a request was forwarded by: a forwarded request is handled where it lands,
 * never forwarded again (two instances that disagree on an owner for a moment never loop).
 */
export const FORWARDED_BY_HEADER = 'x-vigil-forwarded-by';

/** The owner's answer, as it came. */
export interface OwnerAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** HTTP client of the owners: kept-alive connections to each of them. */
export interface OwnerClient {
  post(url: URL, headers: Record<string, string>, body: Buffer): Promise<OwnerAnswer>;
  /** Closes the kept-alive connections. */
  close(): Promise<void>;
}

/**
 * The client the forwarding hook sends with: node:http with kept-alive connections. Node's fetch
 * cost five times its CPU per request here (a 3 kB upload to a local server: 344–627 µs against
 * 74–123 µs, client and server in one process), paid twice per forwarded upload on a machine the
 * instances share.
 *
 * `timeoutMs`: how long an owner may take to answer; then (or when it cannot be reached) the
 * upload is handled where it arrived, as without forwarding (stored once: the owner's copy, if
 * it stored one, is found by its timestamp and answered as the first delivery).
 */
export function createOwnerClient(o: { timeoutMs: number }): OwnerClient {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return {
    post(url, headers, body) {
      const secure = url.protocol === 'https:';
      const request = secure ? https.request : http.request;
      return new Promise<OwnerAnswer>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent: secure ? agents['https:'] : agents['http:'],
            headers: { ...headers, 'content-length': String(body.length) },
            signal: AbortSignal.timeout(o.timeoutMs),
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              resolve({
                status: res.statusCode ?? 502,
                headers: res.headers,
                body: Buffer.concat(chunks),
              });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
      return Promise.resolve();
    },
  };
}

/** Request headers the owner needs to authenticate and parse the upload as sent. */
const REQUEST_HEADERS = ['content-type', 'content-encoding', 'x-api-key', 'user-agent'] as const;
/** Answer headers a device acts on. */
const ANSWER_HEADERS = ['content-type', 'retry-after'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Answered by the device's owner (another instance), which also audited it. */
    forwardedToOwner: boolean;
  }
}

/**
 * A route's `preParsing` hook: an upload authenticated by a device's own key whose owner is
 * another instance is sent there unparsed, and the owner's answer (status, body, Retry-After)
 * is the answer. Needs `forwardedToOwner` decorated on requests (app.ts). Uploads without a
 * Content-Length, larger than `bodyLimit`, by a global key (the device is named only in the
 * body), already forwarded, or whose owner fails are handled here.
 */
export function forwardToOwner(
  forwarding: OwnerForwarding,
  bodyLimit: number,
): preParsingAsyncHookHandler {
  return async (request, reply, payload) => {
    const auth = request.deviceAuth;
    if (auth?.kind !== 'device' || request.headers[FORWARDED_BY_HEADER] !== undefined)
      return payload;
    const owner = forwarding.ownerOf(auth.device.device_id);
    const length = Number(request.headers['content-length']);
    if (owner === undefined || !Number.isSafeInteger(length) || length > bodyLimit) return payload;
    const chunks: Buffer[] = [];
    for await (const chunk of payload as AsyncIterable<Buffer | string>)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = { [FORWARDED_BY_HEADER]: forwarding.instance };
    for (const name of REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    headers['x-forwarded-for'] = request.ip;
    try {
      const answer = await forwarding.client.post(new URL(request.url, owner), headers, body);
      forwarding.counted?.('answered');
      request.forwardedToOwner = true;
      for (const name of ANSWER_HEADERS) {
        const value = answer.headers[name];
        if (typeof value === 'string') void reply.header(name, value);
      }
      void reply.code(answer.status).send(answer.body);
      return payload;
    } catch (err) {
      forwarding.counted?.('failed');
      request.log.warn({ err, owner }, 'forwarding an upload to its owner failed; handled here');
      return Readable.from([body]);
    }
  };
}
