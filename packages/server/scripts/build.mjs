// `npm run build` (run by the root `npm install`, `prepare`): bundles src/server.ts and the ECG
// analysis worker into dist/ with esbuild, a development dependency. `npm start` (start.mjs)
// then runs dist/server.mjs with plain Node: no build tool at run time, and a production install
// (`npm prune --omit=dev`) keeps only what the bundle imports. The demo (and the simulator it
// drives) is a chunk of its own, loaded only when the demo runs, never in production.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleServer } from './bundle.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

try {
  // Chunk names carry a content hash: old ones would pile up.
  await rm(dist, { recursive: true, force: true });
  const bundle = await bundleServer(path.join(root, 'src', 'server.ts'), dist);
  process.stdout.write(`Built ${path.relative(process.cwd(), bundle)} and its analysis worker\n`);
} catch (error) {
  process.stderr.write(
    `Vigil failed to build: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
