/**
 * The bundle lists the graphs whose weights are ONNX external data; the engine creates their sessions
 * without prepacking, arena and memory pattern (src/runtime/onnx.ts), so the weights stay mapped files.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateBundle } from '../../src/runtime/bundle';
import { CONTRACT_BUNDLE } from './contract-bundle';

test('graphs with external data are listed, the others are not', async () => {
  const v2 = await validateBundle(join(__dirname, '..', 'fixtures', 'runtime-v2', 'lvr-bundle'));
  assert.deepEqual(v2.externalDataGraphs, ['decoder']);
  const v1 = await validateBundle(CONTRACT_BUNDLE);
  assert.deepEqual(v1.externalDataGraphs, []);
});
