#!/usr/bin/env bash
# The one Python environment of training/: a venv at training/.venv with PyTorch 2.13 (CPU wheel),
# ONNX, onnxruntime, and Hugging Face transformers/safetensors/tokenizers (the oracle for the real
# architectures). Idempotent: a venv that already has every pinned package is left as it is.
# Prints the interpreter's path on its last line, so callers can do P=$(bash training/setup_env.sh | tail -1).
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
REQ=requirements.txt
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
stamp="$VENV/.requirements.sha256"
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$PWD/$VENV/bin/python"; exit 0
fi
"$PY" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
# torch first and pinned: a bare or ranged torch pulls a multi-GB CUDA build.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check torch==2.13.0 >&2
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ" >&2
echo "$want" > "$stamp"
echo "$PWD/$VENV/bin/python"
