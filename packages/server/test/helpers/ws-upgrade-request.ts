import { randomBytes } from 'node:crypto';

/**
 * The HTTP/1.1 upgrade request that opens `/api/v1/ws` with the token in the subprotocols
 * (`vigil.v1, vigil.bearer.<token>`), for tests that need a raw-socket WebSocket client: one
 * that completes the handshake and then never reads or answers (RFC 6455 §4.1).
 */
export function wsUpgradeRequest(host: string, token: string): string {
  return [
    'GET /api/v1/ws HTTP/1.1',
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Protocol: vigil.v1, vigil.bearer.${token}`,
    '',
    '',
  ].join('\r\n');
}
