/**
 * The dashboard's only source of live data: one WebSocket to /api/v1/ws, authenticated by its
 * first message `{type:"auth", token}` (never by `?token=` in the URL, which proxies and browser
 * history keep), that reconnects by itself and asks for what it missed by sending the id of the
 * last event it saw (`last_event_id`): the server replays the stored alert events after it.
 * Vitals and predictions are live only; the page's HTTP snapshot covers the gap for them.
 */
import type { ApiClient } from '../api/client.js';
import { reconnectDelayMs } from './backoff.js';
import type { LiveStore } from './live-store.js';
import { parseServerMessage } from './messages.js';

/** The part of the browser's WebSocket this class uses (a fake one in unit tests). */
export interface SocketLike {
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveConnectionOptions {
  /** Origin of the API, e.g. `ws://localhost:8000`. Default: this page's host. */
  wsOrigin?: () => string;
  createSocket?: (url: string) => SocketLike;
  /** Reconnect delay for the n-th consecutive attempt. Default: `reconnectDelayMs`. */
  delayMs?: (attempt: number) => number;
}

function pageOrigin(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

export class LiveConnection {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastEventId: number | null = null;
  private stopped = true;

  constructor(
    private readonly api: Pick<ApiClient, 'current' | 'refresh'>,
    private readonly store: LiveStore,
    private readonly options: LiveConnectionOptions = {},
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000, 'signed out');
    this.socket = null;
    this.lastEventId = null;
    this.store.setStatus('idle');
  }

  private url(): string {
    return `${(this.options.wsOrigin ?? pageOrigin)()}/api/v1/ws`;
  }

  private connect(): void {
    const token = this.api.current?.accessToken;
    if (this.stopped || !token) return;
    this.store.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const url = this.url();
    const socket = this.options.createSocket?.(url) ?? new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      socket.send(
        JSON.stringify(
          this.lastEventId === null
            ? { type: 'auth', token }
            : { type: 'auth', token, last_event_id: this.lastEventId },
        ),
      );
      this.store.setStatus('open');
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      const msg = parseServerMessage(ev.data);
      if (!msg) return;
      switch (msg.kind) {
        case 'vitals':
          this.store.applyVitals(msg.summary, msg.chunk, msg.leads);
          break;
        case 'prediction':
          this.store.applyPrediction(msg.prediction);
          break;
        case 'alert':
          this.lastEventId = Math.max(this.lastEventId ?? 0, msg.eventId);
          this.store.applyAlert(msg.alert);
          break;
        case 'position':
          // On a first connection start from the server's position; on a reconnection keep
          // ours, the server replays everything after it before `ready`.
          this.lastEventId ??= msg.eventId;
          break;
      }
    };
    socket.onclose = (ev: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      this.store.setStatus('reconnecting');
      // 4401: the server refused the token; refresh it before trying again.
      const refresh = ev.code === 4401 ? this.api.refresh() : Promise.resolve(true);
      void refresh.then((ok) => {
        if (!ok) return;
        this.timer = setTimeout(
          () => {
            this.connect();
          },
          (this.options.delayMs ?? reconnectDelayMs)(this.attempt++),
        );
      });
    };
  }
}
