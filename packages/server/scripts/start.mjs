// `npm start`: runs dist/server.mjs, which `npm run build` bundled from the server's TypeScript
// (with the workspace packages it imports, from source) when `npm install` ran, with plain Node.
// No build tool runs here: esbuild, tsx and vite are development dependencies. node_modules stay
// external and load natively. Loading them through tsx's loader hooks instead roughly doubles
// the start-up CPU (measured on this machine: 4.6 s vs 2.2 s CPU from process start to
// listening, RSS 213 MB vs 172 MB). `npm run dev` keeps tsx watch for editing.
//
// package.json runs this with `--max-semi-space-size=32` (MiB; Node 20's default young generation
// is smaller): each ingested packet leaves short-lived garbage (its JSON, arrays, rows, events),
// and a larger young generation is collected less often, copying fewer live objects in all.
// bench/ingest, which starts its Vigil with the same flags, measured 6-23 % more packets per
// second at the maximum and 9-19 % less CPU per packet, in each of three alternating pairs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const packages = path.dirname(root);
const bundle = path.join(root, 'dist', 'server.mjs');
const shown = path.relative(path.dirname(packages), bundle);

if (!existsSync(bundle)) {
  process.stderr.write(
    `Vigil is not built: ${shown} is missing. Run \`npm run build\` (npm install runs it too), then \`npm start\`.\n`,
  );
  process.exit(1);
}
// Sources edited since the build would not run: say so (a few ms for a few hundred files). Every
// workspace package the bundle compiles from source: @vigil/protocol's schemas are in it too.
const built = statSync(bundle).mtimeMs;
const stale = ['server', 'protocol', 'signal', 'sim'].some((p) => {
  const src = path.join(packages, p, 'src');
  return (
    existsSync(src) &&
    readdirSync(src, { recursive: true }).some(
      (f) => f.endsWith('.ts') && statSync(path.join(src, f)).mtimeMs > built,
    )
  );
});
if (stale)
  process.stderr.write(
    `Warning: ${shown} is older than the sources; run \`npm run build\` to run your changes (or \`npm run dev\`).\n`,
  );
process.setSourceMapsEnabled(true);
await import(pathToFileURL(bundle).href);
