/** Option parsing for commands (node:util parseArgs, strict) with one-line errors and typed getters. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export function parseCommandArgs(command: string, argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, values: values as ParsedArgs['values'] };
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (see latent-trace ${command} --help)`);
  }
}

export function stringOpt(a: ParsedArgs, name: string): string | undefined {
  const v = a.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable option (`multiple: true` in its spec), each value also split at commas; empty entries are refused. */
export function listOpt(a: ParsedArgs, name: string): string[] {
  const v = a.values[name];
  const values = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap((x) => x.split(','));
  if (values.some((x) => x.trim() === '')) throw new UsageError(`--${name} has an empty entry in ${JSON.stringify(values.join(','))}`);
  return values.map((x) => x.trim());
}

/** An integer option in [min, max]; `max` bounds what one run may ask of the machine. */
export function intOpt(a: ParsedArgs, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = stringOpt(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new UsageError(`--${name} must be an integer ${range}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function numberOpt(a: ParsedArgs, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = stringOpt(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

export function choiceOpt<T extends string>(a: ParsedArgs, name: string, choices: readonly T[]): T | undefined {
  const v = stringOpt(a, name);
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}
