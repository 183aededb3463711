// @vscode/test-cli configuration: `npm run test:integration` (test/integration/run.ts builds the suite first
// and skips with a message where VS Code cannot be downloaded).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/integration/**/*.itest.js',
  version: '1.100.3',
  workspaceFolder: './test/integration/workspace',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  env: { ORT_DISABLE_TELEMETRY: '1', OMP_WAIT_POLICY: 'PASSIVE' },
  mocha: { ui: 'bdd', timeout: 120_000 },
});
