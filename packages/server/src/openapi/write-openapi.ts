import { writeFileSync } from 'node:fs';
import { OPENAPI_FILE, renderOpenApiDocument } from './openapi-document.js';

/** `npm run openapi`: regenerates packages/protocol/openapi.json from the code. */
writeFileSync(OPENAPI_FILE, await renderOpenApiDocument());
process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
