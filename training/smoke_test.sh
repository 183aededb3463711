#!/usr/bin/env bash
# Training pipeline smoke test (run by `npm test`): tiny config end to end, see training/smoke.py.
# Writes .tmp/smoke-counts.json {"passed","failed"}; exits non-zero when any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE ORT_DISABLE_TELEMETRY=1
mkdir -p .tmp
if ! /usr/bin/python3 -c 'import torch, onnx, sklearn' 2>/dev/null; then
  echo 'smoke: /usr/bin/python3 lacks torch/onnx/sklearn (apt-get install python3-torch python3-onnx python3-sklearn)'
  printf '{"passed": 0, "failed": 1}\n' > .tmp/smoke-counts.json
  exit 1
fi
/usr/bin/python3 training/smoke.py .tmp/smoke-counts.json
