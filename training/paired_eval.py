"""Paired held-out comparison of two checkpoints on the same items (the protocol of docs/fidelity-task.md).

  python3 training/paired_eval.py --a training/runs/fine-lare-1h/final.pt --b training/runs/fine-direct-1h/final.pt \
      --samples training/data/fine-heldout/heldout.jsonl --out training/runs/fine-paired.json

Both models run the bundle's batch-1 loop (reference.run_trace, fixed T). Accuracy is exact match of the answer
text; the comparison is the exact McNemar test on the discordant pairs (two-sided binomial test of
b = A right / B wrong against c = A wrong / B right, null p = 0.5), overall and per question type. For a LaRe
model, pointing (some step's window contains the single target's box centre) is reported against two nulls:
a uniformly random window, and a window placed on a random object of the scene (the item's `objects`), both as
"any of T steps" rates.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from scipy.stats import binomtest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from evaluate import centre, trace_all, window_contains  # noqa: E402
from export import load_checkpoint  # noqa: E402
from model import window_starts  # noqa: E402


def mcnemar(a, b):
    """Exact McNemar on paired 0/1 vectors: discordant counts and the two-sided binomial p."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape:
        raise ValueError(f'paired vectors differ in length ({a.shape} vs {b.shape})')
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return {'n': int(a.size), 'acc_a': float(a.mean()), 'acc_b': float(b.mean()), 'a_only': only_a,
            'b_only': only_b, 'p_exact_mcnemar': float(p)}


def object_window(cfg, box):
    """The window a 'random object' null places on an object: the one whose centre is nearest the box centre."""
    x, y = centre(box)
    p, w = cfg.patch, cfg.window
    last = cfg.grid - w
    col = min(max(int(round(x / p - w / 2)), 0), last)
    row = min(max(int(round(y / p - w / 2)), 0), last)
    return row, col


def pointing(cfg, traces):
    """Per item with a single target: hit at any step, and the two nulls' any-step rates."""
    starts = window_starts(cfg)
    hits, uniform, on_object = [], [], []
    for it, _, tr in traces:
        if 'bbox' not in it or not tr['windows']:
            continue
        c = centre(it['bbox'])
        steps = len(tr['windows'])
        hits.append(any(window_contains(cfg, w, c) for w in tr['windows']))
        pu = np.mean([window_contains(cfg, s, c) for s in starts])
        po = np.mean([window_contains(cfg, object_window(cfg, o), c) for o in it['objects']])
        uniform.append(1 - (1 - pu) ** steps)
        on_object.append(1 - (1 - po) ** steps)
    if not hits:
        return None
    return {'n': len(hits), 'pointing_any_step': float(np.mean(hits)),
            'null_uniform_window': float(np.mean(uniform)), 'null_random_object': float(np.mean(on_object))}


def run(path, items):
    model, ck = load_checkpoint(path)
    model.eval()
    cfg = model.cfg
    settings = {'latentSteps': cfg.latent_steps, 'stop': 'fixed', 'threshold': 0.0,
                'maxLatentSteps': cfg.max_latent_steps, 'maxAnswerTokens': 4, 'lvrStop': 'fixed'}
    traces = trace_all(model, items, settings)
    return cfg, ck, traces, [tr['answerText'] == it['answer'] for it, _, tr in traces]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--a', required=True, help='checkpoint A (e.g. LaRe)')
    ap.add_argument('--b', required=True, help='checkpoint B (e.g. the no-latent baseline)')
    ap.add_argument('--samples', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    items = data.load_samples(args.samples)
    cfg_a, ck_a, traces_a, right_a = run(args.a, items)
    _, ck_b, _, right_b = run(args.b, items)
    result = {'samples': args.samples, 'a': args.a, 'b': args.b, 'a_steps': ck_a.get('step'), 'b_steps': ck_b.get('step'),
              'test': 'exact McNemar (two-sided binomial on discordant pairs, null p = 0.5)',
              'overall': mcnemar(right_a, right_b), 'per_type': {}}
    for t in sorted({it['type'] for it in items}):
        idx = [i for i, it in enumerate(items) if it['type'] == t]
        result['per_type'][t] = mcnemar([right_a[i] for i in idx], [right_b[i] for i in idx])
    if cfg_a.method == 'lare':
        result['pointing_a'] = pointing(cfg_a, traces_a)
        result['pointing_a_per_type'] = {t: pointing(cfg_a, [x for x in traces_a if x[0]['type'] == t])
                                         for t in sorted({it['type'] for it in items})}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + '.tmp', 'w') as f:
        json.dump(result, f, indent=2)
    os.replace(args.out + '.tmp', args.out)
    print(json.dumps(result, indent=2))


if __name__ == '__main__':
    main()
