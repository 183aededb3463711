#!/usr/bin/env bash
# Installs code-server 4.100.3 into .e2e/cs once (reused afterwards). Offline-safe: the only network used
# is the npm registry. It needs ripgrep (and libkrb5-dev for code-server's native modules); Chromium is
# only for driving the browser (run.sh checks it), so the server alone installs without it.
set -euo pipefail
ROOT=${E2E_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)/.e2e}
CS_VERSION=4.100.3   # the last code-server whose engines accept node 20
BIN="$ROOT/cs/node_modules/.bin/code-server"
if [ -x "$BIN" ] && [ -f "$ROOT/cs/.installed-$CS_VERSION" ]; then exit 0; fi
command -v rg >/dev/null || { echo "e2e: 'rg' is missing (apt-get install ripgrep libkrb5-dev)"; exit 1; }
mkdir -p "$ROOT"/{tmp,cs,run}
# @vscode/ripgrep (pinned by code-server) downloads rg from GitHub unless its cache in os.tmpdir() has the
# tarball: feed it Debian's rg so the install needs no GitHub.
export TMPDIR="$ROOT/tmp"
RG_CACHE="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE" "$TMPDIR/rgstage"
cp "$(command -v rg)" "$TMPDIR/rgstage/rg"
tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rgstage" rg
cd "$ROOT/cs"
[ -f package.json ] || echo '{"name":"cs-host","version":"1.0.0","private":true}' > package.json
echo "e2e: installing code-server $CS_VERSION into $ROOT/cs (once; a few minutes)"
# unsafe_perm: code-server's postinstall refuses root without it; yes: node-pty's postinstall runs npx node-gyp;
# nodedir: node-gyp uses the system node headers instead of downloading them.
# ignore_scripts=false: the repository's .npmrc turns install scripts off, code-server needs them;
# dangerously_allow_all_scripts: npm >= 11.13 skips dependency install scripts unless allowed, and
# code-server's postinstall (which installs its bundled VS Code's native modules) must run.
nodedir=/usr
[ -f /usr/include/node/node.h ] || nodedir=$(dirname "$(dirname "$(command -v node)")")
if ! npm_config_ignore_scripts=false npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true npm_config_nodedir="$nodedir" \
  npm install --no-audit --no-fund "code-server@$CS_VERSION" > "$ROOT/run/cs-install.log" 2>&1; then
  echo "e2e: code-server install failed; last lines of $ROOT/run/cs-install.log:"; tail -30 "$ROOT/run/cs-install.log"; exit 1
fi
touch "$ROOT/cs/.installed-$CS_VERSION"
