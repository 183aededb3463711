/** The `latent-trace` binary (dist/cli.js): dispatches to src/cli/commands, one-line errors, exit codes. */
import { commands } from './commands';
import { UsageError, type CliCommand, type CliIO } from './io';

export const EXIT_USAGE = 2;
export const EXIT_ABORTED = 130;

export function helpText(list: readonly CliCommand[] = commands): string {
  const width = Math.max(...list.map((c) => c.name.length));
  const lines = ['latent-trace: analyse latent multimodal reasoning models (LaRe, LVR) from the command line', '', 'usage: latent-trace <command> [options]   (latent-trace <command> --help for its options)', '', 'commands:'];
  for (const c of list) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`);
  lines.push('', 'examples:');
  for (const c of list) for (const e of c.examples.slice(0, 2)) lines.push(`  ${e}`);
  return `${lines.join('\n')}\n`;
}

export function commandHelp(c: CliCommand): string {
  return `${c.summary}\n\nusage: ${c.usage}\n\nexamples:\n${c.examples.map((e) => `  ${e}`).join('\n')}\n`;
}

/** Runs one invocation; never throws: errors become one stderr line and an exit code. */
export async function main(argv: string[], io: CliIO, list: readonly CliCommand[] = commands): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? list.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? commandHelp(topic) : helpText(list));
    return 0;
  }
  if (name === '--version') {
    io.stdout('latent-trace 0.1.0\n');
    return 0;
  }
  const command = list.find((c) => c.name === name);
  if (!command) {
    io.stderr(`latent-trace: unknown command "${name}" (commands: ${list.map((c) => c.name).join(', ')}; see latent-trace --help)\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (io.signal?.aborted) {
      io.stderr('latent-trace: cancelled\n');
      return EXIT_ABORTED;
    }
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    io.stderr(`latent-trace ${name}: ${message}\n`);
    return isInputError(err) ? EXIT_USAGE : 1;
  }
}

function isInputError(err: unknown): boolean {
  return err instanceof UsageError || (err instanceof Error && ['InputError', 'ImageError', 'BundleError', 'RangeError'].includes(err.name));
}

/**
 * A reader that goes away (`latent-trace run ... --json | head -c 1`) closes the pipe: the run ends
 * quietly with exit code 0, as for any filter whose reader has seen enough.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream, controller: AbortController): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    controller.abort();
    process.exit(0);
  });
}

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  endQuietlyOnClosedPipe(process.stdout, controller);
  endQuietlyOnClosedPipe(process.stderr, controller);
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
