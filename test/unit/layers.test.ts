// The layer picture is held by lint: a back-edge import put into a real module's place fails
// `eslint` with the rule's message, the same import one layer lower passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** the lint messages of `source` as if it were the file at `file` (relative to the repository root) */
async function lintAs(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const BACK_EDGES: [file: string, importing: string, layer: string][] = [
  ['src/vscode/commands/datasetRuns.ts', '../../cli/commands/probe', 'cli'],
  ['src/cli/commands/probe.ts', '../../vscode/log', 'vscode'],
  ['src/runtime/engine.ts', '../studies/task', 'studies'],
  ['src/studies/studies.ts', '../cli/io', 'cli'],
  ['src/analysis/convergence.ts', '../runtime/engine', 'runtime'],
  ['src/present/reportTables.ts', '../studies', 'studies'],
  ['src/shared/trace.ts', '../analysis/convergence', 'analysis'],
  ['webview/app.ts', '../src/runtime/engine', 'runtime'],
];

for (const [file, importing, layer] of BACK_EDGES) {
  test(`lint fails on ${file} importing ${importing}`, async () => {
    const source = `${readFileSync(join(ROOT, file), 'utf8')}\nexport * as backEdge from '${importing}';\n`;
    const before = await lintAs(file, readFileSync(join(ROOT, file), 'utf8'));
    assert.deepEqual(before, [], `${file} should lint clean as it is`);
    const after = await lintAs(file, source);
    assert.equal(after.length, 1, after.join('\n'));
    assert.match(after[0], new RegExp(`^no-restricted-imports: .*must not import src/${layer}`));
  });
}

test('imports down the layers pass', async () => {
  assert.deepEqual(await lintAs('src/vscode/x.ts', "export * from '../studies';\nexport * from '../present/reportTables';\n"), []);
  assert.deepEqual(await lintAs('src/cli/x.ts', "export * from '../studies';\nexport * from '../runtime/engine';\n"), []);
  assert.deepEqual(await lintAs('src/studies/x.ts', "export * from '../runtime/engine';\nexport * from '../present/reportTables';\n"), []);
  assert.deepEqual(await lintAs('webview/x.ts', "export * from '../src/present/reportTables';\nexport * from '../src/shared/reports';\n"), []);
});

test('vscode stays out of everything but src/vscode', async () => {
  for (const file of ['src/cli/x.ts', 'src/studies/x.ts', 'src/runtime/x.ts', 'src/present/x.ts']) {
    const messages = await lintAs(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n");
    assert.ok(messages.length >= 1 && messages.every((m) => m.startsWith('no-restricted-imports: ')), `${file}: ${messages.join('\n')}`);
  }
});
