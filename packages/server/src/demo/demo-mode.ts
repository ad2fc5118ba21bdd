import type { Config } from '../config/env.js';

/**
 * Demo mode is on when the configuration says so (VIGIL_DEMO; default on in development, never
 * in production) and the command line does not say `--no-demo`. Through `npm start -- --no-demo`
 * the flag never reaches the process: the workspace hop (`npm run start -w @vigil/server`) reads
 * it as an npm setting and exports `npm_config_demo=""` instead, so that counts too.
 */
export function isDemoEnabled(
  config: Pick<Config, 'demo' | 'isProduction'>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): boolean {
  const npmFlag = env.npm_config_demo;
  const offByNpm = npmFlag !== undefined && (npmFlag === '' || npmFlag === 'false');
  return config.demo && !config.isProduction && !argv.includes('--no-demo') && !offByNpm;
}
