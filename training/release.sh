#!/usr/bin/env bash
# After training: evaluate every variant on the held-out split, export the bundles to models/, write the
# model cards and regenerate the golden traces of the trained LaRe and LVR bundles.
# Usage: bash training/release.sh   (expects training/runs/{stage1,direct,lare,lare-noextractor,lvr}/final.pt)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_WAIT_POLICY=PASSIVE ORT_DISABLE_TELEMETRY=1
P=/usr/bin/python3
R=training/runs
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
for v in direct lare lare-noextractor lvr; do
  $P training/evaluate.py --checkpoint "$R/$v/final.pt" --out "$R/$v/eval" > /dev/null
  echo "evaluated $v: $($P -c "import json; m=json.load(open('$R/$v/eval/metrics.json')); print(round(m['accuracy'], 3))")"
done
for v in direct lare lare-noextractor lvr; do
  defaults=()
  [ -f "$R/$v/eval/defaults.json" ] && defaults=(--defaults "$R/$v/eval/defaults.json")
  $P training/export.py --checkpoint "$R/$v/final.pt" --out "models/${NAME[$v]}" --name "${NAME[$v]}" \
    --description "${DESC[$v]}" --metrics "$R/$v/eval/metrics.json" --report "$R/$v/export.json" "${defaults[@]}" > /dev/null
  extra=()
  [ "$v" != direct ] && extra+=(--baseline "$R/direct/eval/metrics.json")
  [ "$v" = lare ] && extra+=(--ablation "$R/lare-noextractor/eval/metrics.json")
  { echo "# stage I, part 1"; cat $R/stage1/train-part1.log; echo "# stage I, part 2 (resumed)"; cat $R/stage1/train.log
    echo "# fine-tune $v"; cat $R/$v/train.log; } > "models/${NAME[$v]}/train-log.txt"
  $P training/model_card.py --run "$R/$v" --stage1 "$R/stage1" --bundle "models/${NAME[$v]}" "${extra[@]}" \
    --note "Stage I ran with \`--minutes 30\` until step 944 and was then resumed from its checkpoint with \`--steps 6000 --minutes 55\` (the command above), which stretched its cosine schedule; the logs of stage I (both parts) and of the fine-tune are in train-log.txt next to this card."
done
bash test/fixtures/golden/generate.sh shapes
