/**
 * Resolves a ProcessorSpec to its factory. The named processors are imported statically (onnxruntime
 * itself is loaded lazily by the engine); a module spec is loaded with require.
 */
import { createRequire } from 'node:module';
import type { ItemProcessor, NamedProcessorSpec, ProcessorFactory, ProcessorSpec, ResultOfSpec } from './processor';
import { createAttentionProcessor, createCausalProcessor, createProbeProcessor, createStepsProcessor } from './processors';
import type { TaskName, TaskOptionsOf, TaskResultOf } from './types';

const named: { [K in TaskName]: ProcessorFactory<TaskOptionsOf[K], TaskResultOf[K]> } = {
  attention: createAttentionProcessor,
  probe: createProbeProcessor,
  steps: createStepsProcessor,
  causal: createCausalProcessor,
};

function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(named, name);
}

function openNamed<K extends TaskName>(spec: NamedProcessorSpec<K>): Promise<ItemProcessor<TaskResultOf[K]>> {
  const factory: ProcessorFactory<TaskOptionsOf[K], TaskResultOf[K]> = named[spec.name];
  return factory(spec.options);
}

/**
 * Opens the spec's processor (its engine, for a named one). A named spec's name picks its factory
 * from `named`, whose type pairs each name with its result, so the result type follows the spec.
 */
export function openProcessor<S extends ProcessorSpec>(spec: S): Promise<ItemProcessor<ResultOfSpec<S>>>;
export async function openProcessor(spec: ProcessorSpec): Promise<ItemProcessor> {
  if ('module' in spec) {
    const mod = createRequire(__filename)(spec.module) as { createProcessor?: ProcessorFactory; default?: { createProcessor?: ProcessorFactory } };
    const factory = mod.createProcessor ?? mod.default?.createProcessor;
    if (typeof factory !== 'function') throw new Error(`processor module ${spec.module} does not export createProcessor`);
    return factory(spec.options);
  }
  // the spec may come from another process: its name is checked before it picks a factory
  if (!isTaskName(spec.name)) throw new Error(`unknown dataset processor "${String(spec.name)}" (known: ${Object.keys(named).join(', ')})`);
  return openNamed(spec);
}
