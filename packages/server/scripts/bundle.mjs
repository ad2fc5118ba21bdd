// Bundles a server entry (TypeScript, with the workspace packages it imports, from source) and
// the ECG analysis worker with esbuild, as `npm run build` (build.mjs, run by `npm install`)
// builds dist/ for `npm start`; bench/ingest bundles its Vigil server the same way, so the bench
// runs the code users run. Development tooling only: nothing here runs when the server starts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const serverRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const simRoot = path.join(path.dirname(serverRoot), 'sim');

/**
 * Bundled: the workspace packages (TypeScript sources) and two pure-ESM libraries made of hundreds
 * of small files (typebox ~700, kysely ~280), whose one-by-one loading dominated start-up. Every
 * other package stays external: some read files next to themselves (swagger-ui's assets), load
 * native addons (better-sqlite3, argon2) or spawn workers (pino).
 */
const BUNDLED = ['@vigil', 'typebox', 'kysely'];

/** The worker's file name next to the server bundle; ecg-analysis-workers.ts reads it there. */
export const ANALYSIS_WORKER_FILE = 'ecg-analysis.worker.cjs';

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
 * Input files an output loads before it runs: its own and those of the chunks it imports
 * statically, transitively. A dynamic import (the demo) is loaded only when it runs.
 */
function staticInputs(metafile, output) {
  const seen = new Set();
  const inputs = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const out = metafile.outputs[file];
    for (const input of Object.keys(out.inputs)) inputs.add(input);
    for (const i of out.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(output);
  return inputs;
}

/**
 * Builds `outdir/<entry name>.mjs` (ESM; modules imported dynamically, like the demo, in chunks of
 * their own beside it) and `outdir/ecg-analysis.worker.cjs`. Fails when the simulator would load
 * with the server: it is a development dependency, reached only through the demo's dynamic import.
 *
 * @param {string} entry the entry's TypeScript file
 * @param {string} outdir the bundle's folder; external packages resolve from it, so it must sit
 *   inside the repository (packages/server/dist)
 * @returns {Promise<string>} the entry's bundle
 */
export async function bundleServer(entry, outdir) {
  const outbase = path.resolve(outdir);
  const server = await build({
    entryPoints: [entry],
    outdir: outbase,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['vigil-source'],
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
    // The bundle's own URL (the plugin gives each source module its source file's URL instead):
    // ecg-analysis-workers.ts finds the built worker beside it, and analyses from source without it.
    define: { VIGIL_BUNDLE_URL: 'import.meta.url' },
    plugins: [vigilPlugin],
  });
  await build({
    entryPoints: [path.join(serverRoot, 'src', 'adapters', 'ecg-analysis.worker.ts')],
    outfile: path.join(outbase, ANALYSIS_WORKER_FILE),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['vigil-source'],
    logLevel: 'warning',
  });
  const bundle = path.join(outbase, `${path.basename(entry, path.extname(entry))}.mjs`);
  const key = path.relative(process.cwd(), bundle).split(path.sep).join('/');
  const sim = [...staticInputs(server.metafile, key)].filter((i) =>
    path.resolve(i).startsWith(simRoot + path.sep),
  );
  if (sim.length > 0)
    throw new Error(`${key} would load the simulator at start-up (${sim.slice(0, 3).join(', ')})`);
  return bundle;
}
