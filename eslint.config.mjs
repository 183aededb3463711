import tseslint from 'typescript-eslint';

// The layers, lowest first (DESIGN.md, Architecture): a module imports only from its own layer or
// those below it; cli and vscode sit side by side and never import each other.
const LAYERS = ['shared', 'analysis', 'present', 'runtime', 'studies', 'cli', 'vscode'];
const ABOVE = {
  shared: ['analysis', 'present', 'runtime', 'studies', 'cli', 'vscode'],
  analysis: ['present', 'runtime', 'studies', 'cli', 'vscode'],
  present: ['runtime', 'studies', 'cli', 'vscode'],
  runtime: ['studies', 'cli', 'vscode'],
  studies: ['cli', 'vscode'],
  cli: ['vscode'],
  vscode: ['cli'],
  webview: ['runtime', 'studies', 'cli', 'vscode'],
};
const PURE = new Set(['shared', 'analysis', 'present', 'webview']);

const backEdges = (layer) => ABOVE[layer].map((above) => ({
  group: [`**/${above}`, `**/${above}/**`],
  message: `src/${layer} must not import src/${above}: imports point down the layers (DESIGN.md, Architecture).`,
}));

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'stream', 'url', 'zlib'];

function restriction(layer) {
  const patterns = backEdges(layer);
  const paths = [];
  if (layer !== 'vscode') paths.push({ name: 'vscode', message: 'Only src/vscode and src/extension.ts may import vscode.' });
  if (PURE.has(layer)) {
    patterns.push(
      { group: ['node:*'], message: 'Pure modules must not import node built-ins (DESIGN.md).' },
      { group: ['onnxruntime-node', 'onnxruntime-*', 'sharp'], message: 'Pure modules must not import the runtime.' },
    );
    paths.push(...nodeBuiltins.map((name) => ({ name, message: 'Pure modules must not import node built-ins.' })));
  }
  return { 'no-restricted-imports': ['error', { patterns, paths }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', 'training/**', 'models/**', 'media/**', 'test/fixtures/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...LAYERS.map((layer) => ({ files: [`src/${layer}/**/*.ts`], rules: restriction(layer) })),
  { files: ['webview/**/*.ts'], rules: restriction('webview') },
);
