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
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, 'dist', 'server.mjs');

if (!existsSync(bundle)) {
  process.stderr.write(
    `Vigil is not built: ${path.relative(process.cwd(), bundle)} is missing. Run \`npm run build\` (npm install runs it too), then \`npm start\`.\n`,
  );
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(bundle).href);
