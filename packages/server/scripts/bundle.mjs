// Bundles a server entry (TypeScript, with the workspace packages it imports, from source) into
// one ESM file with esbuild, as `npm start` runs it (start.mjs); bench/ingest bundles its Vigil
// server the same way, so the bench runs the code users run.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundled: the workspace packages (TypeScript sources) and two pure-ESM libraries made of hundreds
 * of small files (typebox ~700, kysely ~280), whose one-by-one loading dominated start-up. Every
 * other package stays external: some read files next to themselves (swagger-ui's assets), load
 * native addons (better-sqlite3, argon2) or spawn workers (pino).
 */
const BUNDLED = ['@vigil', 'typebox', 'kysely'];

const vigilPlugin = {
  name: 'vigil',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.some((p) => args.path === p || args.path.startsWith(`${p}/`))
        ? undefined
        : { path: args.path, external: true },
    );
    // Each module keeps its own import.meta.url, so paths relative to a source file still work.
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

/**
 * @param {string} entry the entry's TypeScript file
 * @param {string} outfile the bundle; external packages resolve from its folder, so it must sit
 *   inside the repository (packages/server/dist)
 * @returns {Promise<void>}
 */
export async function bundleServer(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['vigil-source'],
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [vigilPlugin],
  });
}
