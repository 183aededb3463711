/** What a CLI command may touch: its output streams, the working folder and the environment. */

export interface CliIO {
  /** machine-readable output (--json) and final results */
  stdout(text: string): void;
  /** progress and messages for people */
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** aborted on SIGINT */
  signal?: AbortSignal;
}

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  examples: string[];
  /** resolves to the exit code */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
