/** What closing needs of a `ws` client (structural: @fastify/websocket re-exports ws's types). */
export interface ClosableWebSocket {
  readonly readyState: number;
  readonly CLOSED: number;
  close(code: number, reason: string): void;
  terminate(): void;
  once(event: 'close', listener: () => void): unknown;
}

/** What closing needs of a `ws` WebSocketServer. */
export interface ClosableWebSocketServer {
  readonly clients: Iterable<ClosableWebSocket>;
  close(callback: () => void): void;
}

/** How long a WebSocket client has to answer the server's close frame on shutdown, ms. */
export const WS_CLOSE_GRACE_MS = 1_000;

/** RFC 6455 §7.4.1: 1001 "going away" (a server going down); clients reconnect. */
const GOING_AWAY = 1001;

/**
 * Closes every WebSocket client of `server` on shutdown (the `preClose` of @fastify/websocket):
 * a close frame with 1001, then, after `graceMs`, the socket of any client that has not
 * answered is destroyed. The plugin's own preClose only sends the close frame, and ws waits 30 s
 * for the answer: a dashboard on a machine that went to sleep (no FIN, no answer) held
 * `app.close()` for 30 s, past server.ts's 10 s limit, which then exited with status 1 without
 * closing the container (the buffered audit events, the analysis workers, the database).
 */
export async function closeWebSockets(
  server: ClosableWebSocketServer,
  graceMs: number = WS_CLOSE_GRACE_MS,
): Promise<void> {
  const clients = [...server.clients];
  const closed = clients.map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.readyState === c.CLOSED) resolve();
        else
          c.once('close', () => {
            resolve();
          });
      }),
  );
  for (const c of clients) c.close(GOING_AWAY, 'server shutting down');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(closed),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    }),
  ]);
  clearTimeout(timer);
  // server.clients again: a client that connected during the grace is cut too.
  for (const c of server.clients) if (c.readyState !== c.CLOSED) c.terminate();
  for (const c of clients) if (c.readyState !== c.CLOSED) c.terminate();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
