/** Where a command writes; the bin passes process streams, tests pass string collectors. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Option declarations in the shape of Node's `util.parseArgs`. */
export type CliOptions = Record<
  string,
  { type: 'string' | 'boolean'; short?: string; description: string }
>;

/**
 * One `vigil-signal` sub-command. Commands live one per file in `src/cli/commands/` and are
 * listed in `src/cli/commands/index.ts`; `runCli` parses the options each declares.
 */
export interface CliCommand {
  /** Words that select the command, e.g. `['ecg', 'detect']`. */
  path: readonly string[];
  /** One line for the help listing. */
  summary: string;
  /** Positional arguments as shown in usage, e.g. `<record>`. */
  args: string;
  options: CliOptions;
  /** Runs with the parsed options; returns the process exit code. */
  run(input: {
    positionals: string[];
    values: Record<string, string | boolean | undefined>;
    io: CliIo;
  }): Promise<number>;
}
