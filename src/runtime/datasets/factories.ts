/**
 * Resolves a ProcessorSpec to its factory. The named processors are imported statically (onnxruntime
 * itself is loaded lazily by the engine); a module spec (tests, plugins) is loaded with require.
 */
import { createRequire } from 'node:module';
import type { ProcessorFactory, ProcessorSpec } from './processor';
import { createAttentionProcessor, createCausalProcessor, createProbeProcessor, createStepsProcessor } from './trace-processors';

const named: Record<string, ProcessorFactory> = {
  attention: createAttentionProcessor,
  probe: createProbeProcessor,
  steps: createStepsProcessor,
  causal: createCausalProcessor,
};

export async function resolveProcessor(spec: ProcessorSpec): Promise<ProcessorFactory> {
  if ('module' in spec) {
    const mod = createRequire(__filename)(spec.module) as { createProcessor?: ProcessorFactory; default?: { createProcessor?: ProcessorFactory } };
    const factory = mod.createProcessor ?? mod.default?.createProcessor;
    if (typeof factory !== 'function') throw new Error(`processor module ${spec.module} does not export createProcessor`);
    return factory;
  }
  const factory = named[spec.name];
  if (!factory) throw new Error(`unknown dataset processor "${spec.name}" (known: ${Object.keys(named).join(', ')})`);
  return factory;
}
