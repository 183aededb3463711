import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddingTable, MAX_TABLE_FLOATS } from '../../src/runtime/embedding-table';

const D = 3;
const tokenwise = async (ids: number[]) => Float32Array.from(ids.flatMap((id) => [id, id * 2, -id]));
// adds the position: the same id embeds differently at different places
const positional = async (ids: number[]) => Float32Array.from(ids.flatMap((id, p) => [id + p, id * 2, -id]));

test('a token-wise embed graph becomes a lookup table', async () => {
  const t = await EmbeddingTable.build(10, D, tokenwise);
  assert.ok(t);
  assert.deepEqual(Array.from(t.lookup([7, 2])), [7, 14, -7, 2, 4, -2]);
  assert.equal(t.matches([9, 0, 1, 9], await tokenwise([9, 0, 1, 9])), true);
  assert.throws(() => t.lookup([10]), /token id 10 is outside the vocabulary/);
});

test('a position-dependent graph fails the check', async () => {
  const t = await EmbeddingTable.build(10, D, positional);
  assert.ok(t);
  assert.equal(t.matches([9, 0, 1, 9], await positional([9, 0, 1, 9])), false);
});

test('large vocabularies are not tabled', async () => {
  let called = false;
  const t = await EmbeddingTable.build(MAX_TABLE_FLOATS, 2, async () => {
    called = true;
    return new Float32Array(0);
  });
  assert.equal(t, null);
  assert.equal(called, false);
});

test('a Qwen2.5-sized vocabulary (151,936 x 896) is looked up through the graph, never tabled', async () => {
  let called = false;
  const t = await EmbeddingTable.build(151_936, 896, async () => {
    called = true;
    return new Float32Array(0);
  });
  assert.equal(t, null);
  assert.equal(called, false);
});
