// One config, two bundles: the extension host + CLI (node, CJS) and the panel app (browser, IIFE).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --outdir=<dir>: where the bundles go instead of dist/ (scripts/package.mjs builds the VSIXs' copy there,
// leaving the development build in dist/ alone)
const outRoot = (process.argv.find((a) => a.startsWith('--outdir=')) ?? '--outdir=dist').slice('--outdir='.length);
// tsx: only the dataset runner's from-source path names it (require.resolve), never taken in a build
const nodeExternals = ['vscode', 'onnxruntime-node', 'sharp', 'tsx'];

const builds = [
  {
    entryPoints: { extension: 'src/extension.ts' },
    outdir: outRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  },
  {
    // the `latent-trace` bin: its own build so only it carries the shebang; the dataset runner
    // (src/studies/runner.ts) forks dist/dataset-worker.js next to it
    entryPoints: { cli: 'src/cli/main.ts', 'dataset-worker': 'src/studies/worker.ts' },
    outdir: outRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  },
  {
    entryPoints: { main: 'webview/main.ts' },
    outdir: `${outRoot}/webview`,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    loader: { '.css': 'css' },
    logLevel: 'warning',
  },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
