#!/usr/bin/env bash
# The end-to-end suite (part of `npm test`): builds the extension, installs code-server once into .e2e/,
# runs test/e2e/harness.ts. Screenshots and extension logs go to test-results/e2e/.
# Writes .tmp/e2e-counts.json {"passed","failed","skipped"}. Optional argument: a scenario name filter.
set -uo pipefail
cd "$(dirname "$0")/../.."
export ORT_DISABLE_TELEMETRY=1 OMP_WAIT_POLICY=PASSIVE
mkdir -p .tmp test-results/e2e
fail() { echo "e2e: $1"; echo '{"passed":0,"failed":1,"skipped":0}' > .tmp/e2e-counts.json; echo "0 passed, 1 failed"; exit 1; }
bash test/e2e/install.sh || fail "could not install code-server"
npm run build --silent || fail "build failed"
node --import tsx test/e2e/harness.ts "$@"
