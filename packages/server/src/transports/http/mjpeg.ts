import { once } from 'node:events';
import type { FastifyReply } from 'fastify';

/**
 * Writes annotated JPEGs as seed 001's `/video_feed`: `multipart/x-mixed-replace;
 * boundary=frame`, one part per frame, until the client goes away (which aborts `abort`, ending
 * the frames). A slow client is waited for (frames in between are skipped by the producer).
 */
export async function sendMjpeg(
  reply: FastifyReply,
  frames: AsyncGenerator<Uint8Array>,
  abort: AbortController,
): Promise<void> {
  void reply.hijack();
  const res = reply.raw;
  res.on('close', () => {
    abort.abort();
  });
  res.writeHead(200, {
    'content-type': 'multipart/x-mixed-replace; boundary=frame',
    'cache-control': 'no-cache, no-store',
    'x-request-id': reply.request.id,
  });
  // Node sends the head with the first body write, and a session may have no frame for a
  // while: send it now, or the client sees no answer at all until the camera delivers.
  res.flushHeaders();
  try {
    for await (const jpeg of frames) {
      if (abort.signal.aborted) break;
      const head = Buffer.from(
        `--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`,
      );
      const ok = res.write(Buffer.concat([head, jpeg, Buffer.from('\r\n')]));
      if (!ok) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } finally {
    await frames.return(undefined);
    res.end();
  }
}
