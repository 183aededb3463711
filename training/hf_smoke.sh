#!/usr/bin/env bash
# Real-architecture smoke test (run by the test command): tiny Hugging Face checkpoints made by transformers
# (make_tiny_hf.py) are converted (convert_hf.py, with its onnxruntime and Hugging Face checks) into
# .tmp/hf/<name>/ for llava/lare, llava/direct and qwen2_5_vl/lvr (one of them sharded, bf16, legacy keys,
# one fp16); then the converter must refuse, naming the tensor and writing nothing, a checkpoint of another
# model_type, one with a missing tensor, one with a wrongly shaped tensor, and a run whose key mapping swaps two
# same-shaped weights (caught only by the Hugging Face check). Beside each bundle it leaves <name>.oracle.json
# (hf_oracle.py) for the TypeScript parity test, and <name>.golden.json (hf_golden.py), whole traces of the
# PyTorch reference loop for test/parity/hf-golden.test.ts. Writes {"passed":N,"failed":M} to $1.
set -uo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE ORT_DISABLE_TELEMETRY=1 TRANSFORMERS_VERBOSITY=error PYTHONWARNINGS=ignore
COUNTS=${1:-.tmp/hf-smoke-counts.json}
P=$(bash training/setup_env.sh | tail -1)
ROOT=.tmp/hf
rm -rf "$ROOT"
mkdir -p "$ROOT" "$(dirname "$COUNTS")"
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2" | tail -20; }

# step NAME COMMAND...: passes when the command exits 0
step() {
  local name=$1; shift
  if "$@" >"$ROOT/$name.log" 2>&1; then ok "$name"; else bad "$name" "$ROOT/$name.log"; fi
}

# refuse NAME PATTERN OUT COMMAND...: passes when the command fails, its output matches PATTERN (the tensor or
# field it names) and neither OUT nor a temporary folder beside it is left behind
refuse() {
  local name=$1 pattern=$2 out=$3; shift 3
  if "$@" >"$ROOT/$name.log" 2>&1; then bad "$name (the converter accepted it)" "$ROOT/$name.log"; return; fi
  if ! grep -q -- "$pattern" "$ROOT/$name.log"; then bad "$name (no mention of $pattern)" "$ROOT/$name.log"; return; fi
  if [ -e "$out" ] || ls -a "$(dirname "$out")" | grep -q "^\.$(basename "$out")\."; then
    bad "$name (left files behind)" "$ROOT/$name.log"; return
  fi
  ok "$name"
}

step unit-tests nice "$P" -m unittest discover -s training/hf/tests -t training
step make-llava nice "$P" training/make_tiny_hf.py --family llava --out "$ROOT/src-llava" --seed 0
step make-qwen nice "$P" training/make_tiny_hf.py --family qwen2_5_vl --out "$ROOT/src-qwen" --seed 0 \
  --sharded --dtype bf16 --layout legacy --lvr-head glu
step make-qwen-simple nice "$P" training/make_tiny_hf.py --family qwen2_5_vl --out "$ROOT/src-qwen-simple" --seed 3
step convert-llava-lare nice "$P" training/convert_hf.py "$ROOT/src-llava" --family llava --method lare \
  --extra "$ROOT/src-llava/lare_extra.safetensors" --out "$ROOT/llava-lare"
step convert-llava-direct nice "$P" training/convert_hf.py "$ROOT/src-llava" --family llava --method direct \
  --out "$ROOT/llava-direct" --external-data
step convert-qwen-lvr nice "$P" training/convert_hf.py "$ROOT/src-qwen" --family qwen2_5_vl --method lvr \
  --out "$ROOT/qwen-lvr"
step convert-qwen-lvr-fp16 nice "$P" training/convert_hf.py "$ROOT/src-qwen-simple" --family qwen2_5_vl \
  --method lvr --dtype fp16 --lvr-criterion cosine --lvr-threshold 0.1 --out "$ROOT/qwen-lvr-fp16"
# The converter does not need transformers: with it made unimportable, the bundle is still written and checked
# in onnxruntime, and one line says the Hugging Face check was skipped.
step convert-without-transformers "$P" -c "import runpy, sys
sys.modules['transformers'] = None
sys.argv = ['convert_hf.py', '$ROOT/src-llava', '--family', 'llava', '--method', 'direct', '--out', '$ROOT/llava-no-hf']
try:
    runpy.run_path('training/convert_hf.py', run_name='__main__')
except SystemExit as e:
    sys.exit(e.code)"
step hf-check-skipped-line grep -qx "  Hugging Face check skipped: transformers is not installed" \
  "$ROOT/convert-without-transformers.log"
# manifest NAME PYTHON-CONDITION: the bundle's latent-trace.json (as m) satisfies the condition
manifest() {
  step "manifest-$1" "$P" -c "import json, sys; m = json.load(open('$ROOT/$1/latent-trace.json')); sys.exit(0 if ($2) else 1)"
}
manifest llava-lare "m['image']['kind'] == 'fixed' and m['model']['visualTokens'] == 16 and m['model']['positions'] == 'implied' and m['prompt']['chat']['suffix'] == ['<|latent_start|>'] and m['graphs'].get('extractor') == 'extractor.onnx' and m['model']['kvHeads'] == 2"
manifest llava-direct "m['prompt']['chat']['suffix'] == [] and m['prompt']['chat']['imageToken'] == '<image>' and 'extractor' not in m['graphs']"
manifest qwen-lvr "m['image']['kind'] == 'dynamic' and m['model']['visualTokens'] is None and m['model']['positions'] == 'mrope' and m['model']['mropeSection'] == [2, 3, 3] and m['graphs']['lvrHead'] == 'lvr_head.onnx' and m['lvr']['latentEndEmbedding'] == 'lvr_latent_end.bin' and m['defaults']['lvrStop'] == 'latent' and m['prompt']['chat']['imageToken'] == '<|image_pad|>'"
manifest qwen-lvr-fp16 "m['model']['dtype'] == m['model']['kvDtype'] == 'float16' and m['lvr']['criterion'] == 'cosine' and m['lvr']['threshold'] == 0.1"
for b in llava-lare llava-direct qwen-lvr qwen-lvr-fp16; do
  step "hf-check-ran-$b" grep -q "Hugging Face check: reference vs transformers" "$ROOT/convert-${b}.log"
done

# Hugging Face's forward pass beside each bundle (<name>.oracle.json, its image in $ROOT), for the TypeScript
# parity test (test/parity/hf-oracle.test.ts): a landscape and a portrait image, neither square.
step test-images "$P" -c "import sys; sys.path.insert(0, 'training'); from hf.hf_check import test_image
test_image(230, 150, 0).save('$ROOT/landscape-230x150.png'); test_image(97, 240, 1).save('$ROOT/portrait-97x240.png')"
Q="Where is the red disc, and what colour is the background?"
oracle() {  # oracle BUNDLE SOURCE METHOD IMAGE
  step "oracle-$1" nice "$P" training/hf_oracle.py "$ROOT/$2" --image "$ROOT/$4" --method "$3" --pixel-values \
    --question "$Q" --out "$ROOT/$1.oracle.json"
}
oracle llava-lare src-llava lare landscape-230x150.png
oracle llava-direct src-llava direct portrait-97x240.png
oracle qwen-lvr src-qwen lvr landscape-230x150.png
oracle qwen-lvr-fp16 src-qwen-simple lvr portrait-97x240.png

# Whole-trace golden traces from the PyTorch reference (hf_golden.py, test/parity/hf-golden.test.ts): LaRe with
# the fixed rule and a cosine rule that fires mid-trace, direct, and LVR with the fixed and the latent rule. The
# latent rule needs a threshold that fires mid-trace: probed on qwen-lvr, then the same checkpoint is converted
# again with it (its graphs are qwen-lvr's, already checked against Hugging Face, so that check is skipped).
# The processor's output comes from the oracle fixtures of the same image and question (no transformers import).
step golden-llava-lare nice "$P" training/hf_golden.py "$ROOT/src-llava" --family llava --method lare \
  --extra "$ROOT/src-llava/lare_extra.safetensors" --bundle "$ROOT/llava-lare" --image "$ROOT/landscape-230x150.png" \
  --question "$Q" --inputs "$ROOT/llava-lare.oracle.json" --out "$ROOT/llava-lare.golden.json" \
  --out "$ROOT/llava-lare-cosine.golden.json:cosine"
step golden-llava-direct nice "$P" training/hf_golden.py "$ROOT/src-llava" --family llava --method direct \
  --bundle "$ROOT/llava-direct" --image "$ROOT/portrait-97x240.png" --question "$Q" \
  --inputs "$ROOT/llava-direct.oracle.json" --out "$ROOT/llava-direct.golden.json"
step probe-latent-threshold nice "$P" training/hf_golden.py "$ROOT/src-qwen" --family qwen2_5_vl --method lvr \
  --bundle "$ROOT/qwen-lvr" --image "$ROOT/landscape-230x150.png" --question "$Q" --inputs "$ROOT/qwen-lvr.oracle.json" \
  --probe-latent
step convert-qwen-lvr-latent nice "$P" training/convert_hf.py "$ROOT/src-qwen" --family qwen2_5_vl --method lvr \
  --lvr-threshold "$(tail -1 "$ROOT/probe-latent-threshold.log")" --no-hf-check --out "$ROOT/qwen-lvr-latent"
step golden-qwen-lvr nice "$P" training/hf_golden.py "$ROOT/src-qwen" --family qwen2_5_vl --method lvr \
  --bundle "$ROOT/qwen-lvr-latent" --image "$ROOT/landscape-230x150.png" --question "$Q" \
  --inputs "$ROOT/qwen-lvr.oracle.json" --out "$ROOT/qwen-lvr.golden.json" --out "$ROOT/qwen-lvr-latent.golden.json:latent"

step vision-46x26-tokens nice "$P" training/hf/tests/check_big_grid.py "$ROOT/src-qwen"

step break-model-type "$P" training/hf/tests/break_checkpoint.py "$ROOT/src-llava" "$ROOT/bad-type" model-type mistral
refuse refuse-model-type "model_type 'mistral'" "$ROOT/out-type" \
  "$P" training/convert_hf.py "$ROOT/bad-type" --family llava --method direct --out "$ROOT/out-type"
refuse refuse-other-family "model_type 'llava', but --family is 'qwen2_5_vl'" "$ROOT/out-family" \
  "$P" training/convert_hf.py "$ROOT/src-llava" --family qwen2_5_vl --method lvr --out "$ROOT/out-family"
step break-missing "$P" training/hf/tests/break_checkpoint.py "$ROOT/src-qwen" "$ROOT/bad-missing" missing \
  model.layers.1.mlp.down_proj.weight
refuse refuse-missing "missing tensor model.layers.1.mlp.down_proj.weight" "$ROOT/out-missing" \
  "$P" training/convert_hf.py "$ROOT/bad-missing" --family qwen2_5_vl --method lvr --out "$ROOT/out-missing"
step break-shape "$P" training/hf/tests/break_checkpoint.py "$ROOT/src-llava" "$ROOT/bad-shape" shape \
  model.multi_modal_projector.linear_1.weight
refuse refuse-shape "model.multi_modal_projector.linear_1.weight has shape \[63, 32\], expected \[64, 32\]" \
  "$ROOT/out-shape" "$P" training/convert_hf.py "$ROOT/bad-shape" --family llava --method direct --out "$ROOT/out-shape"
refuse refuse-swapped-weights "Hugging Face check failed: hidden_states\[2\]" "$ROOT/out-swapped" \
  nice "$P" training/hf/tests/convert_with_swapped_keys.py "$ROOT/src-llava" --family llava --method direct \
  --out "$ROOT/out-swapped"

printf '{"passed": %d, "failed": %d}\n' "$passed" "$failed" > "$COUNTS"
echo "hf smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
