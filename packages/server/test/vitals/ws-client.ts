import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';

export interface WsMessage {
  type: string;
  event_id?: number;
  action?: string;
  data?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Listens on a free local port once per app (injectWS can drop a server's first frames). */
async function baseUrl(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `ws://127.0.0.1:${address.port}`;
}

/** A real WebSocket client of `/api/v1/ws` (or `path`) that records every message it receives. */
export async function connectWs(
  app: FastifyInstance,
  query: string,
  path = '/api/v1/ws',
  protocols?: string[],
) {
  const messages: WsMessage[] = [];
  const waiters: { pred: (m: WsMessage) => boolean; resolve: (m: WsMessage) => void }[] = [];
  const ws = new WebSocket(`${await baseUrl(app)}${path}${query}`, protocols);
  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as WsMessage;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    /** Resolves with the first message (already received or future) matching `pred`. */
    next(pred: (m: WsMessage) => boolean, timeoutMs = 10_000): Promise<WsMessage> {
      const found = messages.find(pred);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no matching WebSocket message'));
        }, timeoutMs);
        waiters.push({
          pred,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    send(obj: unknown) {
      ws.send(JSON.stringify(obj));
    },
    close() {
      ws.terminate();
    },
  };
}
