/** Resolves a ProcessorSpec to its factory; named processors load the engine only when created. */
import { createRequire } from 'node:module';
import type { ProcessorFactory, ProcessorSpec } from './processor';

const named: Record<string, () => Promise<ProcessorFactory>> = {
  attention: async () => (await import('./trace-processors')).createAttentionProcessor,
  probe: async () => (await import('./trace-processors')).createProbeProcessor,
  steps: async () => (await import('./trace-processors')).createStepsProcessor,
};

export async function resolveProcessor(spec: ProcessorSpec): Promise<ProcessorFactory> {
  if ('module' in spec) {
    // require, not import(): under tsx only the CommonJS hook reaches worker threads
    const mod = createRequire(__filename)(spec.module) as { createProcessor?: ProcessorFactory; default?: { createProcessor?: ProcessorFactory } };
    const factory = mod.createProcessor ?? mod.default?.createProcessor;
    if (typeof factory !== 'function') throw new Error(`processor module ${spec.module} does not export createProcessor`);
    return factory;
  }
  const load = named[spec.name];
  if (!load) throw new Error(`unknown dataset processor "${spec.name}" (known: ${Object.keys(named).join(', ')})`);
  return load();
}
