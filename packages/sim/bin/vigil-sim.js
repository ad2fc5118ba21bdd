#!/usr/bin/env node
// Launcher: runs the TypeScript CLI with tsx and the `vigil-source` export condition, so the
// workspace packages resolve to their sources (see CONTRIBUTING.md).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--conditions=vigil-source', '--import', tsx, cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Ctrl-C already reaches the child through the terminal's process group; forwarding it would
// deliver it twice and kill the child before it prints its summary.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
