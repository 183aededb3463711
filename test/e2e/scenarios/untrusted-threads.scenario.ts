import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from '../scenario';

/**
 * Restricted Mode ignores a workspace's `latentTrace.threads` (and the probing sizes): a hostile
 * `.vscode/settings.json` asking for 100,000 threads per session still runs the bundled model with the
 * user's value, the default 1, as the engine's load line in the log shows. The run also leaves the
 * server's HOME without onnxruntime's telemetry folder (the suite does not set ORT_DISABLE_TELEMETRY).
 */
export default defineScenario({
  name: 'untrusted-threads',
  trusted: false,
  async run(ctx) {
    await ctx.page.locator('.statusbar-item', { hasText: /Restricted Mode/ }).first().waitFor({ timeout: 30_000 });
    const settingsFile = join(ctx.workspace, '.vscode/settings.json');
    const original = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : undefined;
    try {
      writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original ?? '{}'), 'latentTrace.threads': 100000, 'latentTrace.probing.pairs': 10000000 }));
      await ctx.page.waitForTimeout(1500); // the configuration file watcher
      await ctx.runCommand('Latent Trace: Run the Bundled Sample');
      await ctx.panel().locator('[data-testid="answer"]').waitFor({ timeout: 120_000 });
      await ctx.screenshot('ran');
    } finally {
      if (original === undefined) writeFileSync(settingsFile, '{}');
      else writeFileSync(settingsFile, original);
    }
    const loads = (await ctx.extensionLog()).split('\n').filter((l) => l.includes('[engine] load'));
    ctx.log('engine loads:', loads.join(' | '));
    if (loads.length === 0) throw new Error('no engine was loaded: the run did not reach the runtime');
    for (const line of loads) {
      if (!/\(cpu, 1 thread\)/.test(line)) throw new Error(`an engine ran with the workspace's thread count in Restricted Mode: ${line}`);
    }
    const home = join(process.env.E2E_ROOT ?? join(ctx.repo, '.e2e'), 'run', 'untrusted', 'home');
    // onnxruntime's folder; DeveloperTools/deviceid beside it is code-server's own (@vscode/deviceid)
    const telemetry = join(home, '.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime');
    if (existsSync(telemetry)) throw new Error(`onnxruntime telemetry wrote under the server's HOME: ${readdirSync(telemetry, { recursive: true }).join(', ')}`);
  },
});
