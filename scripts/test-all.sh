#!/usr/bin/env bash
# The one test command (README: `npm test`): build, type-check, lint, unit + parity tests,
# the training pipeline smoke test, the distribution packages (five VSIXs, the npm package), then the
# end-to-end suite in a real VS Code (code-server + Chromium).
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OMP_WAIT_POLICY=PASSIVE ONNXRUNTIME_NODE_INSTALL=skip
mkdir -p .tmp
passed=0; failed=0; skipped=0
step() {  # step NAME COMMAND... : a step that is one test
  local name=$1; shift
  echo "=== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
add_counts() {  # add_counts FILE : a suite that wrote {"passed","failed","skipped"}
  if [ -f "$1" ]; then
    passed=$((passed + $(node -p "require('./$1').passed")))
    failed=$((failed + $(node -p "require('./$1').failed")))
    skipped=$((skipped + $(node -p "require('./$1').skipped ?? 0")))
  else
    failed=$((failed + 1)); echo "missing result file $1"
  fi
}

[ -d node_modules ] || npm ci --no-audit --no-fund
# training/'s one Python environment (idempotent; installs torch 2.13 CPU, transformers, onnx on first use)
PY=$(bash training/setup_env.sh | tail -1); export LATENT_TRACE_PYTHON=$PY
step build npm run build --silent
step typecheck npm run typecheck --silent
step lint npm run lint --silent

echo "=== real-architecture smoke (tiny Hugging Face checkpoints -> bundles, checked against transformers)"
rm -f .tmp/hf-smoke-counts.json
bash training/hf_smoke.sh .tmp/hf-smoke-counts.json
add_counts .tmp/hf-smoke-counts.json
export LATENT_TRACE_REQUIRE_HF=1

echo "=== unit, parity and runtime tests"
rm -f .tmp/unit-counts.json
node scripts/run-unit-tests.mjs
add_counts .tmp/unit-counts.json

echo "=== training pipeline smoke test"
rm -f .tmp/smoke-counts.json
bash training/smoke_test.sh
add_counts .tmp/smoke-counts.json

echo "=== distribution: the five platform VSIXs and the npm package (test/packaging)"
rm -f .tmp/packaging-counts.json
node scripts/run-unit-tests.mjs --counts=.tmp/packaging-counts.json test/packaging
add_counts .tmp/packaging-counts.json

echo "=== end-to-end (code-server + Chromium)"
rm -f .tmp/e2e-counts.json
bash test/e2e/run.sh
add_counts .tmp/e2e-counts.json

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
