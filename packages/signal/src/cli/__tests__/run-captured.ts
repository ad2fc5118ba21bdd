import { runCli } from '../run-cli.js';

/** Runs the CLI in-process with captured output, as a shell would see it. */
export async function runCaptured(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}
