#!/usr/bin/env bash
# After training: evaluate every variant on the held-out split, export the bundles to models/, write the
# model cards and regenerate the golden traces of the trained LaRe and LVR bundles.
# Usage: bash training/release.sh   (expects training/runs/{stage1,direct,lare,lare-noextractor,lvr}/final.pt;
# RUNS, MODELS, SAMPLES and GOLDENS=0 point it elsewhere, e.g. for a dry run on tiny checkpoints)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE ORT_DISABLE_TELEMETRY=1
P=/usr/bin/python3
R=${RUNS:-training/runs}
M=${MODELS:-models}
SAMPLES=${SAMPLES:-media/samples/samples.jsonl}
declare -A NAME=([lare]=lare-shapes [lare-noextractor]=lare-shapes-noextractor [lvr]=lvr-shapes [direct]=direct-shapes)
declare -A DESC=(
  [lare]="LaRe (latent refocusing: saliency window + Extractor, semantic augmentation) trained on the synthetic shapes task"
  [lare-noextractor]="LaRe without the Extractor (latent = mean of the window features), the paper's Table 6 ablation"
  [lvr]="LVR-style latent visual reasoning (last hidden state fed back, MSE to the boxed visual tokens)"
  [direct]="No-latent baseline: answers right after the question, same stage I and fine-tuning budget"
)
for v in direct lare lare-noextractor lvr; do
  [ -f "$R/$v/final.pt" ] || { echo "missing $R/$v/final.pt: train $v first" >&2; exit 1; }
done
# LaRe's shipped checkpoint is the one after the reconstructor-only phase when that phase was run.
declare -A RUN=([lare]=lare [lare-noextractor]=lare-noextractor [lvr]=lvr [direct]=direct)
[ -f "$R/lare-unet/final.pt" ] && RUN[lare]=lare-unet
for v in direct lare lare-noextractor lvr; do
  r=${RUN[$v]}
  if [ ! "$R/$r/eval/metrics.json" -nt "$R/$r/final.pt" ]; then
    $P training/evaluate.py --checkpoint "$R/$r/final.pt" --samples "$SAMPLES" --out "$R/$r/eval" > /dev/null
  fi
  echo "evaluated $v: $($P -c "import json; m=json.load(open('$R/$r/eval/metrics.json')); print(round(m['accuracy'], 3))")"
done
for v in direct lare lare-noextractor lvr; do
  r=${RUN[$v]}
  defaults=()
  [ -f "$R/$r/eval/defaults.json" ] && defaults=(--defaults "$R/$r/eval/defaults.json")
  # Clamp DDIM's x0 prediction only where it measurably helps the held-out reconstructions.
  if $P -c "import json,sys; m=json.load(open('$R/$r/eval/metrics.json')); sys.exit(0 if m.get('recon_mse_noclip', 9) <= 1.05 * m.get('recon_mse', 0) else 1)"; then
    defaults+=(--unclipped)
  fi
  $P training/export.py --checkpoint "$R/$r/final.pt" --out "$M/${NAME[$v]}" --name "${NAME[$v]}" \
    --description "${DESC[$v]}" --metrics "$R/$r/eval/metrics.json" --report "$R/$r/export.json" "${defaults[@]}" > /dev/null
  extra=()
  [ "$v" != direct ] && extra+=(--baseline "$R/direct/eval/metrics.json")
  [ "$v" = lare ] && extra+=(--ablation "$R/lare-noextractor/eval/metrics.json")
  { if [ -f "$R/stage1/train-part1.log" ]; then echo "# stage I, part 1"; cat "$R/stage1/train-part1.log"; fi
    echo "# stage I"; cat "$R/stage1/train.log"; echo "# fine-tune $v"; cat "$R/$v/train.log"
    if [ "$r" != "$v" ]; then echo "# reconstructor-only phase"; cat "$R/$r/train.log"; fi; } > "$M/${NAME[$v]}/train-log.txt"
  $P training/model_card.py --run "$R/$r" --stage1 "$R/stage1" --bundle "$M/${NAME[$v]}" "${extra[@]}" \
    --note "Stage I ran with \`--minutes 30\` until step 944 and was then resumed from its checkpoint with \`--steps 6000 --minutes 55\` (the command above), which stretched its cosine schedule; the logs of stage I (both parts) and of the fine-tune are in train-log.txt next to this card."
done
if [ "${GOLDENS:-1}" = 1 ]; then bash test/fixtures/golden/generate.sh shapes; fi
