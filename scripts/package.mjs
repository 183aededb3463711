// Builds the platform-specific VSIXs (`vsce package --target`, one per platform, all the same version):
//   npm run package                      all five, into the repository root as latent-trace-<target>.vsix
//   npm run package -- --target <t>      one (repeat --target for several)
//   npm run package -- --out <dir>       somewhere else
// The production bundle is built once; each target then gets a staging folder with the extension's
// files and a node_modules holding exactly that platform's native binaries: onnxruntime-node's
// bin/napi-v6/<platform>/<arch> and sharp's @img/sharp-<target> + @img/sharp-libvips-<target>, the
// latter fetched with `npm pack` into .cache/natives/ (the registry, or npm's cache when offline).
import { spawnSync } from 'node:child_process';
import {
  existsSync, linkSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootModules = join(root, 'node_modules');
const cache = join(root, '.cache', 'natives');
const work = join(root, '.tmp', 'package');

/**
 * The targets. onnxruntime-node dropped macOS x86_64 binaries after 1.23.2 (1.24.1 ships darwin/arm64
 * only), so darwin-x64 packs 1.23.2, the last release that has them; the others pack the installed one.
 */
const TARGETS = {
  'linux-x64': { platform: 'linux', arch: 'x64' },
  'linux-arm64': { platform: 'linux', arch: 'arm64' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64' },
  'darwin-x64': { platform: 'darwin', arch: 'x64', onnxruntime: '1.23.2' },
  'win32-x64': { platform: 'win32', arch: 'x64' },
};

/** The dependencies esbuild.mjs leaves external, i.e. the only ones the bundles load from node_modules. */
const RUNTIME_DEPENDENCIES = ['onnxruntime-node', 'sharp'];
/** onnxruntime-node's own dependencies that only its install script uses (it never runs from a VSIX). */
const INSTALL_ONLY = { 'onnxruntime-node': ['adm-zip', 'global-agent'] };

function fail(message) {
  console.error(`scripts/package.mjs: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const targets = [];
  let out = root;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target' || a === '--out') {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      if (a === '--out') out = resolve(v);
      else if (!(v in TARGETS)) fail(`unknown target "${v}"; one of ${Object.keys(TARGETS).join(', ')}`);
      else targets.push(v);
    } else fail(`unknown argument "${a}" (usage: [--target <t>]... [--out <dir>])`);
  }
  return { targets: targets.length ? targets : Object.keys(TARGETS), out };
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) fail(`${[cmd, ...args].join(' ')} (in ${cwd}) failed:\n${r.stdout ?? ''}${r.stderr ?? r.error ?? ''}`);
  return r.stdout;
}

const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(`${file}: ${e.message}`);
  }
};

/** Temp file + rename: never writes through a hard link into node_modules. */
function writeJson(file, value) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

/** A hard link (a copy across devices): staging 100+ MB per target stays cheap. */
function linkFile(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Hard-links a tree; `keep(relPath)` filters files. */
function linkTree(src, dst, keep = () => true, rel = '') {
  for (const name of readdirSync(join(src, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(join(src, r)).isDirectory()) linkTree(src, dst, keep, r);
    else if (keep(r)) linkFile(join(src, r), join(dst, r));
  }
}

/** An exact package version unpacked from .cache/natives/ (fetched with `npm pack` when missing). */
function fetchPackage(name, version) {
  const tgz = join(cache, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tgz)) {
    mkdirSync(cache, { recursive: true });
    console.log(`fetching ${name}@${version}`);
    run('npm', ['pack', `${name}@${version}`, '--pack-destination', cache, '--prefer-offline', '--silent'], cache);
    if (!existsSync(tgz)) fail(`npm pack ${name}@${version} did not write ${tgz}`);
  }
  const dir = join(work, 'unpacked', `${name.replace('/', '+')}@${version}`);
  if (!existsSync(join(dir, 'package', 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    run('tar', ['xzf', tgz, '-C', dir], root);
  }
  return join(dir, 'package');
}

/** The installed package when its version is the one wanted, else that version from the registry. */
function packageSource(name, version) {
  const installed = join(rootModules, name);
  if (existsSync(join(installed, 'package.json')) && readJson(join(installed, 'package.json')).version === version) {
    return installed;
  }
  return fetchPackage(name, version);
}

/** Links a package and, from the installed tree, its dependencies (recursively) into `modules`. */
function stagePackage(modules, name, src, keep) {
  const dst = join(modules, name);
  if (existsSync(dst)) return;
  linkTree(src, dst, keep);
  const manifest = readJson(join(src, 'package.json'));
  const dropped = INSTALL_ONLY[name] ?? [];
  if (dropped.length) {
    const dependencies = Object.fromEntries(Object.entries(manifest.dependencies ?? {}).filter(([d]) => !dropped.includes(d)));
    writeJson(join(dst, 'package.json'), { ...manifest, dependencies });
  }
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (dropped.includes(dep) || existsSync(join(modules, dep))) continue;
    const depSrc = join(rootModules, dep);
    if (!existsSync(join(depSrc, 'package.json'))) fail(`${name} needs ${dep}, which is not installed (npm ci)`);
    stagePackage(modules, dep, depSrc);
  }
}

/**
 * onnxruntime-node's files for one platform: its JS and bin/napi-v6/<platform>/<arch> only. npm turns
 * the dylib's version symlink into a second identical file; a copy whose name no binary there loads is left out.
 */
function onnxruntimeFilter(src, { platform, arch }) {
  const binDir = `bin/napi-v6/${platform}/${arch}`;
  if (!existsSync(join(src, binDir))) fail(`${src} has no ${binDir}`);
  const names = readdirSync(join(src, binDir));
  const bytes = new Map(names.map((n) => [n, readFileSync(join(src, binDir, n))]));
  const unused = new Set(names.filter((n) => {
    const b = bytes.get(n);
    const twin = names.some((m) => m !== n && bytes.get(m).equals(b));
    return twin && !names.some((m) => m !== n && bytes.get(m).includes(n));
  }));
  return (rel) => (rel.startsWith('bin/') ? rel.startsWith(`${binDir}/`) && !unused.has(rel.slice(binDir.length + 1)) : true);
}

function stageTarget(target, spec, bundle) {
  const stage = join(work, target);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const manifest = readJson(join(root, 'package.json'));

  const modules = join(stage, 'node_modules');
  const ortVersion = spec.onnxruntime ?? readJson(join(rootModules, 'onnxruntime-node', 'package.json')).version;
  const ortSrc = packageSource('onnxruntime-node', ortVersion);
  const ortCommon = readJson(join(ortSrc, 'package.json')).dependencies['onnxruntime-common'];
  stagePackage(modules, 'onnxruntime-common', packageSource('onnxruntime-common', ortCommon));
  stagePackage(modules, 'onnxruntime-node', ortSrc, onnxruntimeFilter(ortSrc, spec));

  const sharp = readJson(join(rootModules, 'sharp', 'package.json'));
  stagePackage(modules, 'sharp', join(rootModules, 'sharp'));
  const natives = [`@img/sharp-${target}`, `@img/sharp-libvips-${target}`].filter((n) => sharp.optionalDependencies?.[n]);
  if (!natives.includes(`@img/sharp-${target}`)) fail(`sharp ${sharp.version} has no @img/sharp-${target}`);
  for (const n of natives) stagePackage(modules, n, packageSource(n, sharp.optionalDependencies[n]));

  // vsce collects node_modules through `npm ls --production`: the staged manifest declares only what
  // the bundles load, at the versions staged (the rest of `dependencies` is bundled by esbuild);
  // `files` is the npm package's list, which vsce refuses next to .vscodeignore
  const dependencies = Object.fromEntries(RUNTIME_DEPENDENCIES.map((d) => [d, d === 'onnxruntime-node' ? ortVersion : manifest.dependencies[d]]));
  const { devDependencies: _dev, scripts: _scripts, files: _files, ...rest } = manifest;
  writeJson(join(stage, 'package.json'), { ...rest, dependencies });

  linkTree(bundle, join(stage, 'dist'));
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) linkFile(join(root, f), join(stage, f));
  linkTree(join(root, 'media'), join(stage, 'media'));
  linkTree(join(root, 'models'), join(stage, 'models'));
  return stage;
}

const { targets, out } = parseArgs(process.argv.slice(2));
mkdirSync(out, { recursive: true });
const bundle = join(work, 'dist');
rmSync(bundle, { recursive: true, force: true });
run(process.execPath, ['esbuild.mjs', '--production', `--outdir=${bundle}`], root);
const vsce = join(rootModules, '@vscode', 'vsce', 'vsce');
for (const target of targets) {
  const stage = stageTarget(target, TARGETS[target], bundle);
  const vsix = join(out, `latent-trace-${target}.vsix`);
  // README images stay relative so that they load from the VSIX (media/ is packaged)
  const log = run(process.execPath, [vsce, 'package', '--target', target, '--no-rewrite-relative-links', '--out', vsix], stage);
  process.stdout.write(log.split('\n').filter((l) => /Packaged:|WARNING/.test(l)).map((l) => `${l}\n`).join(''));
  rmSync(stage, { recursive: true, force: true });
}
