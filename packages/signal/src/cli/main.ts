import { runCli } from './run-cli.js';

// Entry point of the `vigil-signal` bin (see bin/vigil-signal.js).
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
