/**
 * Every `latent-trace` command. To add one, write a module under src/cli/commands/ exporting a
 * CliCommand and list it here; `--help` and dispatch pick it up.
 */
import type { CliCommand } from '../io';
import { demoCommand } from './demo';
import { evalCommand } from './eval';
import { interveneCommand } from './intervene';
import { runCommand } from './run';
import { statsCommand } from './stats';
import { attentionCommand } from './attention';
import { probeCommand } from './probe';
import { stepsCommand } from './steps';
import { mergeCommand } from './merge';
import { causalCommand } from './causal';

export const commands: CliCommand[] = [runCommand, evalCommand, interveneCommand, demoCommand, statsCommand, attentionCommand, probeCommand, stepsCommand, causalCommand, mergeCommand];
