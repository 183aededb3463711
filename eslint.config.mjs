import tseslint from 'typescript-eslint';

const pureRestriction = {
  patterns: [
    { group: ['node:*'], message: 'Pure modules must not import node built-ins (DESIGN.md).' },
    { group: ['onnxruntime-node', 'onnxruntime-*', 'sharp'], message: 'Pure modules must not import the runtime.' },
  ],
  paths: [
    { name: 'vscode', message: 'Only src/vscode and src/extension.ts may import vscode.' },
    ...['fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'stream', 'url', 'zlib']
      .map((name) => ({ name, message: 'Pure modules must not import node built-ins.' })),
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', 'training/**', 'models/**', 'media/**', 'test/fixtures/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/analysis/**/*.ts', 'webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureRestriction] },
  },
  {
    files: ['src/runtime/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/vscode may import vscode.' }] }],
    },
  },
);
