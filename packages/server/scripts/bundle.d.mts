/** See bundle.mjs. */
export const ANALYSIS_WORKER_FILE: string;
/** See bundle.mjs: builds `outdir/<entry name>.mjs` and the analysis worker; returns the bundle. */
export function bundleServer(entry: string, outdir: string): Promise<string>;
