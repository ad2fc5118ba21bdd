import { parseArgs } from 'node:util';
import { SignalInputError } from '../errors.js';
import { AudioDecodeError } from '../io/audio-decode-error.js';
import type { CliCommand, CliIo } from './cli-command.js';
import { commands as defaultCommands } from './commands/index.js';

/** Exit codes: 0 success, 1 unexpected failure, 2 bad usage or bad input. */
const EXIT_USAGE = 2;

function usageOf(command: CliCommand): string {
  const options = Object.entries(command.options)
    .map(([name, o]) => `    --${name}${o.type === 'string' ? ' <value>' : ''}  ${o.description}`)
    .join('\n');
  return `vigil-signal ${command.path.join(' ')} ${command.args}\n  ${command.summary}\n${options}\n`;
}

function help(commands: readonly CliCommand[]): string {
  return `Usage:\n${commands.map((c) => `  ${usageOf(c)}`).join('')}`;
}

/**
 * The `vigil-signal` command line: picks the command whose words start `argv`, parses its
 * options with Node's `util.parseArgs` (strict: unknown options are errors) and runs it.
 * Input errors (`SignalInputError`, bad options) print `error: <code> (<field>): <message>` on
 * stderr and exit with 2; they never print a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = defaultCommands,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(help(commands));
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  const command = commands.find((c) => c.path.every((word, i) => argv[i] === word));
  if (command === undefined) {
    io.stderr(`error: unknown command "${argv.join(' ')}"\n${help(commands)}`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(usageOf(command));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
    for (const [name, o] of Object.entries(command.options)) {
      options[name] = o.short === undefined ? { type: o.type } : { type: o.type, short: o.short };
    }
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(
      `error: ${error instanceof Error ? error.message : String(error)}\n${usageOf(command)}`,
    );
    return EXIT_USAGE;
  }
  try {
    const values: Record<string, string | boolean | undefined> = {};
    for (const [key, value] of Object.entries(parsed.values)) {
      values[key] = Array.isArray(value) ? value.join(',') : value;
    }
    return await command.run({ positionals: parsed.positionals, values, io });
  } catch (error) {
    if (error instanceof SignalInputError || error instanceof AudioDecodeError) {
      io.stderr(`error: ${error.code} (${error.field}): ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      io.stderr(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
