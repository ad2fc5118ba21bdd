/**
 * WebSocket subprotocol authentication (RFC 6455 §1.9, §11.3.4): a browser cannot set an
 * Authorization header on a WebSocket, but it can offer subprotocols, which travel in the
 * `Sec-WebSocket-Protocol` request header rather than in the URL (URLs end up in proxy logs and
 * browser history). The client offers `vigil.v1` and `vigil.bearer.<access token>`
 * (`new WebSocket(url, ['vigil.v1', 'vigil.bearer.' + token])`; a JWT's characters are all
 * valid in a subprotocol name); the server selects `vigil.v1`, so the token is not echoed back.
 * Kubernetes' API server does the same (`base64url.bearer.authorization.k8s.io.<token>`).
 */
export const WS_PROTOCOL = 'vigil.v1';
export const WS_BEARER_PREFIX = 'vigil.bearer.';

/** `handleProtocols` for the WebSocket server: the protocol to answer with, or none. */
export function selectWsProtocol(offered: ReadonlySet<string>): string | false {
  if (offered.has(WS_PROTOCOL)) return WS_PROTOCOL;
  // Offered the token alone: it must be echoed, or browsers fail the handshake.
  for (const p of offered) if (p.startsWith(WS_BEARER_PREFIX)) return p;
  return false;
}

/** The access token of a `vigil.bearer.<token>` subprotocol in the header, if one is offered. */
export function bearerFromProtocols(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const p of value.split(',')) {
    const trimmed = p.trim();
    if (trimmed.startsWith(WS_BEARER_PREFIX) && trimmed.length > WS_BEARER_PREFIX.length)
      return trimmed.slice(WS_BEARER_PREFIX.length);
  }
  return undefined;
}
