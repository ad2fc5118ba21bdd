import { DomainError } from '../errors/catalogue.js';
import type { Viewer } from '../repositories/access.repository.js';
import type { EventRow } from '../repositories/events.repository.js';
import type { AuditRecorder } from '../services/audit.service.js';
import { storedAlertView } from '../services/prediction-view.js';
import type { RealtimeEvent, RealtimePublisher } from '../services/realtime-port.js';

/**
 * The WebSocket hub behind `/api/v1/ws`. Authentication by access token (the subprotocol
 * `vigil.bearer.<token>`, a first `{type:"auth"}` message within AUTH_TIMEOUT_MS, or the
 * documented fallback query `token`), heartbeat by WebSocket ping/pong, and
 * scoping on the server for every event: an admin sees everything, a doctor their patients,
 * a patient themself. Alert events are read back from the event log on reconnect
 * (`last_event_id`), so a client never misses one; events published while a client is catching
 * up are queued and delivered after it, without duplicates.
 */

/** The parts of a `ws` WebSocket the hub uses. */
export interface HubSocket {
  readonly readyState: number;
  readonly OPEN: number;
  /** Bytes queued for sending and not yet handed to the kernel (a client that does not read). */
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
  on(event: 'message', listener: (data: Buffer) => void): unknown;
  on(event: 'pong' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface HubUser {
  id: string;
  role: Viewer['role'];
}

/** Where a connection came from, for the audit trail (the upgrade request). */
export interface HubClient {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface RealtimeHubDeps {
  authenticate(token: string): Promise<HubUser>;
  /** Patient ids the viewer may see; undefined means all (admin). */
  visiblePatientIds(viewer: Viewer): Promise<string[] | undefined>;
  events: {
    listAfter(
      afterId: number,
      patientIds: readonly string[] | undefined,
      limit: number,
    ): Promise<EventRow[]>;
    lastId(): Promise<number>;
  };
  log: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
  /**
   * The audit trail: a connection's access to each patient whose live data it may receive is a
   * `realtime.subscribe` read event (one per patient as it enters the connection's scope; an
   * admin's whole-clinic stream is one event without a patient), and a refused connection a
   * denied one.
   */
  audit?: Pick<AuditRecorder, 'record'> | undefined;
  heartbeatMs?: number;
  /**
   * A connection whose unsent bytes pass this bound is dropped (default 4 MiB): a client that
   * stops reading must not make the server hold every event for it.
   */
  maxBufferedBytes?: number;
  /** How long a doctor's patient list is trusted before it is reloaded (ms). */
  scopeTtlMs?: number;
  now?: () => number;
}

export interface RealtimeHub extends RealtimePublisher {
  /** Takes over a freshly upgraded socket. */
  accept(
    socket: HubSocket,
    query: {
      token?: string | undefined;
      last_event_id?: number | undefined;
      /** Only this patient's events (refused with PATIENT_NOT_FOUND if the caller may not see them). */
      patient_id?: string | undefined;
    },
    client?: HubClient,
  ): void;
  /** Connections dropped because they did not read (their unsent bytes passed the bound). */
  readonly droppedSlowReaders: number;
  /** Delivers an event that another instance published (fan-out), without re-broadcasting it. */
  deliver(event: RealtimeEvent): void;
  /** Hook for fan-out: called with every locally published event. */
  onPublish(fn: (event: RealtimeEvent) => void): void;
  readonly connections: number;
  close(): Promise<void>;
}

const AUTH_TIMEOUT_MS = 10_000;
const CATCH_UP_PAGE = 500;
/** Close codes in the 4000-4999 private range (RFC 6455 §7.4.2), mirroring HTTP statuses. */
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_BAD_MESSAGE = 4400;
const CLOSE_NOT_FOUND = 4404;

interface Conn {
  socket: HubSocket;
  client: HubClient;
  user: HubUser | null;
  /** The access token the connection was accepted with, checked again on every heartbeat. */
  token: string | null;
  /** A heartbeat's check of `token` under way (one at a time). */
  rechecking: boolean;
  /** The one patient the client asked for (`patient_id`), or undefined for its whole scope. */
  only: string | undefined;
  /** Patients whose access is on record (the audit trail); `null` the admin's whole clinic. */
  audited: Set<string | null>;
  patients: Set<string> | undefined;
  patientsLoadedAt: number;
  /** The reload of `patients` under way: events arriving meanwhile wait for it, not reload again. */
  scopeReload: Promise<void> | undefined;
  catchingUp: boolean;
  queued: RealtimeEvent[];
  /** Highest alert event id sent (reported in `ready`, the client's resume point). */
  lastSentEventId: number;
  /**
   * Ids of the alert events sent recently. A live event is skipped only when it was already
   * sent (by a catch-up), never because a higher id went first: with several instances or
   * concurrent writers, events may be published out of id order.
   */
  sentIds: Set<number>;
  /** The client said it saw every alert event up to this id (resume); 0 for a fresh client. */
  resumeFloor: number;
  alive: boolean;
}

/** Alert event ids remembered per connection for de-duplication. */
const SENT_IDS_KEPT = 4096;

function markSent(c: Conn, id: number): void {
  c.sentIds.add(id);
  if (c.sentIds.size > SENT_IDS_KEPT) {
    // Sets iterate in insertion order: drop the oldest quarter.
    let drop = SENT_IDS_KEPT / 4;
    for (const old of c.sentIds) {
      if (drop-- <= 0) break;
      c.sentIds.delete(old);
    }
  }
  if (id > c.lastSentEventId) c.lastSentEventId = id;
}

function serialise(e: RealtimeEvent): string {
  if (e.type === 'alert')
    return JSON.stringify({ type: 'alert', event_id: e.eventId, action: e.action, data: e.data });
  // The seed-002 message is its own shape (`event`, `sick_detected`, `timestamp`, `data`).
  if (e.type === 'cry_detected') return JSON.stringify(e.data);
  return JSON.stringify({ type: e.type, data: e.data });
}

export function createRealtimeHub(deps: RealtimeHubDeps): RealtimeHub {
  const conns = new Set<Conn>();
  const now = deps.now ?? (() => Date.now());
  const scopeTtl = deps.scopeTtlMs ?? 5_000;
  const listeners: ((e: RealtimeEvent) => void)[] = [];

  const maxBuffered = deps.maxBufferedBytes ?? 4 * 1024 * 1024;
  let droppedSlowReaders = 0;
  const send = (c: Conn, text: string): void => {
    if (c.socket.readyState !== c.socket.OPEN) return;
    // A client that does not read: its messages pile up in the socket's send buffer (in this
    // process's memory once the kernel's buffers are full). Dropped at once, without a closing
    // handshake it would not read either; it reconnects and catches up on alerts by event id.
    if (c.socket.bufferedAmount > maxBuffered) {
      droppedSlowReaders++;
      deps.log.warn(
        { userId: c.user?.id, bufferedBytes: c.socket.bufferedAmount },
        'realtime connection dropped: the client does not read',
      );
      conns.delete(c);
      c.socket.terminate();
      return;
    }
    c.socket.send(text);
  };

  const audit = (c: Conn, patientId: string | null, status: number): void => {
    deps.audit?.record({
      actorId: c.user?.id ?? null,
      actorKind: c.user?.role ?? 'anonymous',
      ip: c.client.ip,
      userAgent: c.client.userAgent,
      action: 'realtime.subscribe',
      resourceType: 'realtime',
      resourceId: null,
      patientId,
      outcome: status < 400 ? 'success' : 'denied',
      status,
      requestId: c.client.requestId,
    });
  };

  /** Records the patients that entered the connection's scope since the last time. */
  const auditScope = (c: Conn): void => {
    const ids: (string | null)[] =
      c.only !== undefined ? [c.only] : c.patients === undefined ? [null] : [...c.patients];
    for (const id of ids) {
      if (c.audited.has(id)) continue;
      c.audited.add(id);
      audit(c, id, 101);
    }
  };

  const loadScope = async (c: Conn): Promise<void> => {
    if (c.user === null) return;
    const ids = await deps.visiblePatientIds(c.user);
    c.patients = ids === undefined ? undefined : new Set(ids);
    c.patientsLoadedAt = now();
  };

  const mayReceive = async (c: Conn, patientId: string | null): Promise<boolean> => {
    const u = c.user;
    if (u === null) return false;
    if (c.only !== undefined && patientId !== c.only) return false;
    if (u.role === 'admin') return true;
    if (patientId === null) return false;
    if (u.role === 'patient') return patientId === u.id;
    // A doctor's list is reloaded once it is older than the TTL, whether or not it holds the
    // patient: a doctor may have been given this patient since, and may have lost one (moved to
    // another doctor, or the doctor's account deleted). Reloading only for patients not on the
    // list kept streaming a patient's live vitals and alerts to the doctor they had left, for as
    // long as the socket stayed open (usertest8).
    if (now() - c.patientsLoadedAt > scopeTtl) {
      c.scopeReload ??= loadScope(c).finally(() => {
        c.scopeReload = undefined;
      });
      await c.scopeReload;
      auditScope(c);
    }
    return c.patients?.has(patientId) === true;
  };

  const deliverTo = async (c: Conn, e: RealtimeEvent, text: () => string): Promise<void> => {
    if (c.catchingUp) {
      c.queued.push(e);
      return;
    }
    if (!(await mayReceive(c, e.patientId))) return;
    if (e.type === 'alert') {
      if (e.eventId <= c.resumeFloor || c.sentIds.has(e.eventId)) return;
      markSent(c, e.eventId);
    }
    send(c, text());
  };

  const deliver = (e: RealtimeEvent): void => {
    // Serialised once, for the first connection that may receive it (an event with a 250-sample
    // ECG chunk is ~3 kB of JSON; a wall of dashboards would otherwise encode it once each).
    let json: string | undefined;
    const text = (): string => (json ??= serialise(e));
    for (const c of conns) {
      deliverTo(c, e, text).catch((err: unknown) => {
        deps.log.warn({ err }, 'realtime delivery failed');
      });
    }
  };

  const catchUp = async (c: Conn, afterId: number): Promise<void> => {
    const ids =
      c.only !== undefined ? [c.only] : c.patients === undefined ? undefined : [...c.patients];
    let cursor = afterId;
    for (;;) {
      const rows = await deps.events.listAfter(cursor, ids, CATCH_UP_PAGE);
      for (const r of rows) {
        cursor = r.id;
        const payload = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as {
          action: string;
          alert: unknown;
        };
        if (r.type === 'alert') {
          send(
            c,
            JSON.stringify({
              type: 'alert',
              event_id: r.id,
              action: payload.action,
              data: storedAlertView(payload.alert),
            }),
          );
          markSent(c, r.id);
        }
      }
      if (rows.length < CATCH_UP_PAGE) break;
    }
  };

  const start = async (c: Conn, token: string, lastEventId: number | undefined): Promise<void> => {
    try {
      c.user = await deps.authenticate(token);
      c.token = token;
    } catch {
      send(
        c,
        JSON.stringify({
          type: 'error',
          code: 'TOKEN_INVALID',
          message: 'The access token is invalid',
        }),
      );
      c.socket.close(CLOSE_UNAUTHENTICATED, 'unauthenticated');
      audit(c, c.only ?? null, 401);
      return;
    }
    c.catchingUp = true;
    try {
      await loadScope(c);
      const only = c.only;
      if (only !== undefined && c.patients !== undefined && !c.patients.has(only)) {
        // Another doctor's patient, or no patient: not found, as everywhere in Vigil.
        send(
          c,
          JSON.stringify({
            type: 'error',
            code: 'PATIENT_NOT_FOUND',
            message: 'No such patient (or not one of yours)',
          }),
        );
        c.socket.close(CLOSE_NOT_FOUND, 'patient not found');
        audit(c, only, 404);
        conns.delete(c);
        return;
      }
      auditScope(c);
      const head = await deps.events.lastId();
      c.lastSentEventId = lastEventId ?? head;
      c.resumeFloor = lastEventId ?? 0;
      send(c, JSON.stringify({ type: 'welcome', user_id: c.user.id, last_event_id: head }));
      if (lastEventId !== undefined) await catchUp(c, lastEventId);
    } finally {
      c.catchingUp = false;
    }
    const queued = c.queued;
    c.queued = [];
    for (const e of queued) await deliverTo(c, e, () => serialise(e));
    send(c, JSON.stringify({ type: 'ready', last_event_id: c.lastSentEventId }));
  };

  /**
   * The token a connection was accepted with is checked again on every heartbeat: a socket must
   * not outlive its access token (expiry) or its user (account deleted), which HTTP refuses at
   * once (usertest8). Refused: the client is told why (`TOKEN_EXPIRED`, `TOKEN_INVALID`) and the
   * socket closed with 4401, on which the dashboard refreshes its token and reconnects.
   */
  const recheck = (c: Conn): void => {
    const token = c.token;
    if (token === null || c.rechecking) return;
    c.rechecking = true;
    void deps
      .authenticate(token)
      .then(
        (user) => {
          c.user = user;
        },
        (err: unknown) => {
          const code = err instanceof DomainError ? err.code : 'TOKEN_INVALID';
          if (code !== 'TOKEN_EXPIRED' && code !== 'TOKEN_INVALID') {
            // Not a verdict on the token (the database unavailable, say): try again next beat.
            deps.log.warn({ err }, 'realtime token check failed');
            return;
          }
          send(
            c,
            JSON.stringify({
              type: 'error',
              code,
              message:
                code === 'TOKEN_EXPIRED'
                  ? 'The access token has expired'
                  : 'The access token is invalid',
            }),
          );
          c.socket.close(CLOSE_UNAUTHENTICATED, 'unauthenticated');
          conns.delete(c);
        },
      )
      .finally(() => {
        c.rechecking = false;
      });
  };

  const heartbeat = setInterval(() => {
    for (const c of conns) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
      recheck(c);
    }
  }, deps.heartbeatMs ?? 30_000);
  heartbeat.unref();

  return {
    accept(socket, query, client) {
      const c: Conn = {
        socket,
        client: client ?? { ip: null, userAgent: null, requestId: null },
        user: null,
        token: null,
        rechecking: false,
        only: query.patient_id,
        audited: new Set(),
        patients: new Set(),
        patientsLoadedAt: 0,
        scopeReload: undefined,
        catchingUp: false,
        queued: [],
        lastSentEventId: 0,
        sentIds: new Set(),
        resumeFloor: 0,
        alive: true,
      };
      conns.add(c);
      socket.on('pong', () => (c.alive = true));
      socket.on('close', () => conns.delete(c));
      socket.on('error', () => conns.delete(c));
      const timer = setTimeout(() => {
        if (c.user === null) socket.close(CLOSE_UNAUTHENTICATED, 'authentication timeout');
      }, AUTH_TIMEOUT_MS);
      timer.unref();
      const fail = (err: unknown): void => {
        deps.log.warn({ err }, 'realtime connection failed');
        socket.close(1011, 'internal error');
      };
      socket.on('message', (raw: Buffer) => {
        let msg: { type?: unknown; token?: unknown; last_event_id?: unknown };
        try {
          msg = JSON.parse(raw.toString()) as typeof msg;
        } catch {
          socket.close(CLOSE_BAD_MESSAGE, 'messages are JSON');
          return;
        }
        const last =
          typeof msg.last_event_id === 'number' &&
          Number.isSafeInteger(msg.last_event_id) &&
          msg.last_event_id >= 0
            ? msg.last_event_id
            : undefined;
        if (msg.type === 'ping') send(c, '{"type":"pong"}');
        else if (msg.type === 'auth' && c.user === null && typeof msg.token === 'string') {
          clearTimeout(timer);
          start(c, msg.token, last).catch(fail);
        } else if (msg.type === 'resume' && c.user !== null && last !== undefined) {
          c.catchingUp = true;
          c.resumeFloor = Math.max(c.resumeFloor, last);
          catchUp(c, last)
            .finally(() => (c.catchingUp = false))
            .then(async () => {
              const q = c.queued;
              c.queued = [];
              for (const e of q) await deliverTo(c, e, () => serialise(e));
              send(c, JSON.stringify({ type: 'ready', last_event_id: c.lastSentEventId }));
            })
            .catch(fail);
        } else if (c.user === null && msg.type !== 'auth') {
          send(
            c,
            JSON.stringify({
              type: 'error',
              code: 'UNAUTHENTICATED',
              message: 'Send {"type":"auth","token":...} first',
            }),
          );
        }
      });
      if (query.token !== undefined) {
        clearTimeout(timer);
        start(c, query.token, query.last_event_id).catch(fail);
      }
    },
    publish(event) {
      deliver(event);
      for (const fn of listeners) fn(event);
    },
    deliver,
    onPublish(fn) {
      listeners.push(fn);
    },
    get connections() {
      return conns.size;
    },
    get droppedSlowReaders() {
      return droppedSlowReaders;
    },
    close() {
      clearInterval(heartbeat);
      for (const c of conns) c.socket.close(1001, 'server shutting down');
      conns.clear();
      return Promise.resolve();
    },
  };
}
