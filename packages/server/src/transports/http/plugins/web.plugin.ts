import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { assertPathParamsWithinLimit } from '../path-param-limit.js';

export interface WebPluginOptions {
  /** The Vite build output. Default: packages/web/dist of this repository. */
  distDir?: string;
}

/** Where `npm run build -w @vigil/web` writes the dashboard. */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../../../web/dist', import.meta.url));

/**
 * Paths the dashboard must never shadow: an unknown `/api/...` is a JSON 404 from the API, not
 * the single-page app's index.html.
 */
const RESERVED = [
  '/api',
  '/auth',
  '/docs',
  '/openapi.json',
  '/health',
  '/ready',
  '/metrics',
  '/fhir',
];

/** Vite puts content-hashed files under /assets: their name changes whenever their bytes do. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed assets, so the browser must revalidate it every time. */
const NO_CACHE = 'no-cache';
/** Other public files (favicon, robots.txt) may change without changing name. */
const SHORT = 'public, max-age=3600';

function isReserved(path: string): boolean {
  return RESERVED.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil: dashboard not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>Vigil is running, but the dashboard is not built</h1>
<p>The web dashboard is built by <code>npm install</code> (its <code>prepare</code> step). To build it now:</p>
<pre>npm run build -w @vigil/web</pre>
<p>then reload this page. The API works already: see <a href="/docs">/docs</a>.</p>
</body></html>`;

/**
 * Serves the built dashboard at `/` with caching headers, and answers every other page path
 * (`/patients/…`) with index.html so the client-side router can take over. Registered after the
 * API, so its routes win; not wrapped in fastify-plugin, so its `sendFile` stays private.
 */
export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, options) => {
  const root = resolve(options.distDir ?? DEFAULT_WEB_DIST);
  if (!existsSync(resolve(root, 'index.html'))) {
    app.log.warn({ root }, 'web dashboard not built; run `npm run build -w @vigil/web`');
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', NO_CACHE)
        .send(NOT_BUILT_PAGE),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // Routes for the files present at start-up only; page paths fall through to the SPA route.
    wildcard: false,
    index: false,
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply, path) => {
      const header =
        basename(path) === 'index.html' ? NO_CACHE : path.includes('/assets/') ? IMMUTABLE : SHORT;
      reply.header('cache-control', header);
    },
  });

  const sendIndex = (reply: FastifyReply): FastifyReply => reply.sendFile('index.html');
  app.get('/', { schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    // A missing file (an old hashed asset, a typo'd .js) is a 404, never index.html served as
    // JavaScript; only extension-less page paths belong to the client-side router.
    // Under an API prefix, the router's own answers: a path parameter too long for it is its
    // 400, anything else its 404.
    if (isReserved(path)) assertPathParamsWithinLimit(path);
    if (isReserved(path) || extname(path) !== '') {
      reply.callNotFound();
      return reply;
    }
    return sendIndex(reply);
  });
};
