/// <reference types="mocha" />
// Runs inside VS Code (@vscode/test-electron, see .vscode-test.mjs); the e2e suite covers the same paths in code-server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const EXTENSION_ID = 'latent-trace.latent-trace';
const COMMANDS = [
  'latentTrace.runOnImage', 'latentTrace.openPanel', 'latentTrace.runProbing', 'latentTrace.runAttentionStats',
  'latentTrace.runStepsStudy', 'latentTrace.selectModel', 'latentTrace.openTrace', 'latentTrace.compareTraces',
];

function onnxRuntimeLoaded(): boolean {
  return Object.keys(require.cache).some((id) => /[\\/]onnxruntime-node[\\/]/.test(id));
}

describe('Latent Trace in VS Code', () => {
  it('activates without loading onnxruntime and registers every command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed in the test instance`);
    await ext.activate();
    assert.equal(onnxRuntimeLoaded(), false);
    const registered = await vscode.commands.getCommands(true);
    for (const id of COMMANDS) assert.ok(registered.includes(id), `${id} is not registered`);
  });

  it('runs the bundled sample and writes its trace under the results folder', async function () {
    this.timeout(300_000);
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(root, 'the test workspace is not open');
    await vscode.commands.executeCommand('latentTrace.runSample');
    const traces = join(root, '.latent-trace', 'traces');
    assert.ok(existsSync(traces), `no ${traces}`);
    assert.ok(readdirSync(traces).some((f) => f.endsWith('.ltrace.json')), 'no trace written');
  });
});
