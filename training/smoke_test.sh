#!/usr/bin/env bash
# Training pipeline smoke test (run by `npm test`): tiny config end to end, see training/smoke.py.
# Writes .tmp/smoke-counts.json {"passed","failed"}; exits non-zero when any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE ORT_DISABLE_TELEMETRY=1
mkdir -p .tmp
if ! P=$(bash training/setup_env.sh | tail -1) || ! "$P" -c 'import torch, onnx, sklearn' 2>/dev/null; then
  echo 'smoke: the training venv (training/setup_env.sh) could not be set up or lacks torch/onnx/sklearn'
  printf '{"passed": 0, "failed": 1}\n' > .tmp/smoke-counts.json
  exit 1
fi
"$P" training/smoke.py .tmp/smoke-counts.json
