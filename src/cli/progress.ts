/** Progress lines on stderr for long runs; stdout stays clean for --json. */
import type { TraceProgress } from '../runtime/api';
import type { CliIO } from './io';

export function traceProgress(io: CliIO, prefix = ''): (p: TraceProgress) => void {
  let lastStage = '';
  return (p) => {
    if (p.stage === 'latent' && p.step && p.total) io.stderr(`${prefix}latent step ${p.step}/${p.total}\n`);
    else if (p.stage !== lastStage && p.stage !== 'latent' && p.stage !== 'answer') io.stderr(`${prefix}${p.stage}\n`);
    else if (p.stage === 'answer' && lastStage !== 'answer') io.stderr(`${prefix}answer\n`);
    lastStage = p.stage;
  };
}
