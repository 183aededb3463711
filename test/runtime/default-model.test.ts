import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '../../src/runtime/default-model';
import { bundleVariant, removeVariants } from './contract-bundle';

after(removeVariants);

test('the default model is the LaRe bundle with an Extractor, "lare" first, then "lare-shapes", then the shortest name', async () => {
  const models = await mkdtemp(join(tmpdir(), 'lt-models-'));
  try {
    const add = async (name: string, edit: Parameters<typeof bundleVariant>[0]) => cp(await bundleVariant(edit), join(models, name), { recursive: true });
    await add('lare-noextractor', (m) => { m.extractor = null; });
    await add('lvr-shapes', (m) => { m.method = 'lvr'; m.defaults.lvrStop = 'fixed'; });
    await add('lare-shapes-large', () => {});
    await add('lare-shapes', () => {});
    await add('lare-fine', () => {});
    await mkdir(join(models, 'broken'));
    await writeFile(join(models, 'broken', 'latent-trace.json'), '{');
    assert.equal(await defaultModelDir({}, models), join(models, 'lare-shapes'));
    await add('lare', () => {});
    assert.equal(await defaultModelDir({}, models), join(models, 'lare'));
    assert.equal(await defaultModelDir({ LATENT_TRACE_MODEL: '/x/y' }, models), '/x/y');
    await rm(join(models, 'lare'), { recursive: true });
    await rm(join(models, 'lare-shapes'), { recursive: true });
    assert.equal(await defaultModelDir({}, models), join(models, 'lare-fine'), 'the shortest name once "lare" and "lare-shapes" are gone');
    await rm(join(models, 'lare-fine'), { recursive: true });
    await rm(join(models, 'lare-shapes-large'), { recursive: true });
    await assert.rejects(defaultModelDir({}, models), /no LaRe bundle with an Extractor under .*; pass --model <bundle dir>/);
  } finally {
    await rm(models, { recursive: true, force: true });
  }
});
