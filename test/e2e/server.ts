/** Starts and stops code-server in its own process group, with HOME/XDG and all state under .e2e/run. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, openSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Server {
  baseUrl: string;
  userDataDir: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  root: string;
  port: number;
  workspace: string;
  trusted: boolean;
  /** install this packaged extension instead of loading the repository as the extension under development */
  vsix?: string;
}

const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
  'files.exclude': { '.latent-trace': false },
  // the fake Slurm clients below are on every server's PATH (and the machine may have real ones, for
  // test/slurm): only the slurm-run scenario turns the "Run on Slurm…" choice on, in its workspace
  'latentTrace.slurm.offer': false,
};

/** where test/e2e/fake-slurm keeps its jobs' states and process groups for a server's workspace */
export const fakeSlurmState = (workspace: string): string => `${workspace}-fake-slurm`;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

export async function startServer(opts: ServerOptions): Promise<Server> {
  const run = join(opts.root, 'run', opts.trusted ? 'trusted' : 'untrusted');
  rmSync(run, { recursive: true, force: true });
  rmSync(fakeSlurmState(opts.workspace), { recursive: true, force: true });
  for (const d of ['ud/User', 'exts', 'xdg/config', 'xdg/data', 'home']) mkdirSync(join(run, d), { recursive: true });
  const settings = opts.trusted
    ? { ...BASE_SETTINGS, 'security.workspace.trust.enabled': false }
    : { ...BASE_SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' };
  writeFileSync(join(run, 'ud/User/settings.json'), JSON.stringify(settings, null, 2));
  // the server resolves the extension host's environment from a login shell, which resets PATH
  // (/etc/profile): the fake Slurm clients go on it there too, as a cluster's profile adds Slurm's
  writeFileSync(join(run, 'home/.profile'), `export PATH=${JSON.stringify(join(__dirname, 'fake-slurm'))}:"$PATH"\n`);
  writeFileSync(join(run, 'config.yaml'), `bind-addr: 127.0.0.1:${opts.port}\nauth: none\ncert: false\n`);
  const bin = join(opts.root, 'cs/node_modules/.bin/code-server');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(run, 'home'),
    XDG_CONFIG_HOME: join(run, 'xdg/config'),
    XDG_DATA_HOME: join(run, 'xdg/data'),
    EXTENSIONS_GALLERY: '{}',
    OMP_WAIT_POLICY: 'PASSIVE',
    // fake sbatch/squeue/sacct/scancel that run array tasks on this machine (test/e2e/fake-slurm)
    PATH: `${join(__dirname, 'fake-slurm')}${delimiter}${process.env.PATH ?? ''}`,
    FAKE_SLURM_STATE: fakeSlurmState(opts.workspace),
  };
  // the extension turns onnxruntime's telemetry off itself; the suite must not do it for it (a scenario
  // checks that nothing lands under this HOME)
  delete env.ORT_DISABLE_TELEMETRY;
  if (opts.vsix) {
    const installed = spawnSync(bin, ['--extensions-dir', join(run, 'exts'), '--user-data-dir', join(run, 'ud'), '--install-extension', opts.vsix], { env, encoding: 'utf8' });
    if (installed.status !== 0) throw new Error(`code-server --install-extension ${opts.vsix} failed:\n${installed.stdout}${installed.stderr}`);
  }
  const log = openSync(join(run, 'server.log'), 'w');
  const args = [
    '--config', join(run, 'config.yaml'), '--bind-addr', `127.0.0.1:${opts.port}`, '--auth', 'none',
    ...(process.env.E2E_SERVER_LOG ? ['--log', process.env.E2E_SERVER_LOG] : []),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--disable-proxy',
    '--ignore-last-opened', '--user-data-dir', join(run, 'ud'), '--extensions-dir', join(run, 'exts'),
    ...(opts.trusted ? ['--disable-workspace-trust'] : []),
    opts.workspace,
  ];
  // detached: its own process group, so stop() reaches the extension host and every helper it spawned
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', log, log], env });
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start (no pid)');
  let exited = false;
  child.on('exit', () => { exited = true; });
  const stop = async () => {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return; // the group is already gone
    }
    for (let i = 0; i < 50 && !exited; i++) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // every process of the group exited after SIGTERM
    }
  };
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (exited) break;
    if (await healthy(`${baseUrl}/healthz`)) return { baseUrl, userDataDir: join(run, 'ud'), stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`code-server did not start within 60 s:\n${readFileSync(join(run, 'server.log'), 'utf8').slice(-3000)}`);
}
