"""Held-out evaluation of a trained checkpoint with the reference loop (the same one the bundle runs).

  python3 training/evaluate.py --checkpoint training/runs/lare/final.pt --samples media/samples/samples.jsonl \
      --out training/runs/lare/eval [--compare training/runs/lare-noextractor/final.pt]

Writes <out>/metrics.json and, for LaRe, <out>/reconstructions.png (window crop | reconstruction from the
step's latent | reconstruction from another item's latent). Measures: accuracy overall and per question
type; pointing rate (a chosen window contains the asked-about box's centre) at any step and per step,
against the chance rate of uniformly random windows; reconstruction MSE against a shuffled-latent control;
a linear probe (pooled latent vs rationale text / visual features, matched vs mismatched pairs), and the
first answer token's attention mass on the visual tokens.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import load_checkpoint  # noqa: E402
from model import Config, ddim_sample, window_starts  # noqa: E402
from reference import pixels_from_uint8, run_trace  # noqa: E402
from train import rationale_states  # noqa: E402


def window_contains(cfg, start, point):
    r, c = start
    x, y = point
    p, w = cfg.patch, cfg.window
    return c * p <= x < (c + w) * p and r * p <= y < (r + w) * p


def centre(bbox):
    return ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)


def crop(cfg, pixels, start):
    r, c = start
    p, w = cfg.patch, cfg.window
    return pixels[0, :, r * p:(r + w) * p, c * p:(c + w) * p]


@torch.no_grad()
def trace_all(model, items, settings):
    out = []
    for it in items:
        pixels = pixels_from_uint8(it['pixels'])
        tr = run_trace(model, pixels, data.tokenize(it['question']), settings, reconstruct=False)
        out.append((it, pixels, tr))
    return out


def accuracy(traces):
    per = {}
    for it, _, tr in traces:
        per.setdefault(it['type'], []).append(tr['answerText'] == it['answer'])
    m = {'accuracy': float(np.mean([v for vs in per.values() for v in vs]))}
    for t, vs in sorted(per.items()):
        m[f'accuracy_{t}'] = float(np.mean(vs))
    return m


def pointing(cfg, traces):
    starts = window_starts(cfg)
    hits_any, per_step, chance_one = [], [], []
    for it, _, tr in traces:
        if 'bbox' not in it:
            continue  # multi-target questions (fine split: mark_count, mark_same) have no single box
        c = centre(it['bbox'])
        hits = [window_contains(cfg, w, c) for w in tr['windows']]
        hits_any.append(any(hits))
        per_step.append(hits)
        chance_one.append(np.mean([window_contains(cfg, s, c) for s in starts]))
    if not per_step:
        return {}
    steps = len(per_step[0])
    p = np.array(chance_one)
    m = {'pointing_any_step': float(np.mean(hits_any)),
         'pointing_chance_one_window': float(p.mean()),
         'pointing_chance_any_step': float(np.mean(1 - (1 - p) ** steps))}
    for s in range(steps):
        m[f'pointing_step{s + 1}'] = float(np.mean([h[s] for h in per_step]))
    return m


@torch.no_grad()
def reconstruction(model, traces, out_dir, count=60, seed=0):
    cfg = model.cfg
    sel = traces[:count]
    rng = np.random.default_rng(seed)
    targets, conds = [], []
    for _, pixels, tr in sel:
        for s, w in enumerate(tr['windows']):
            targets.append(crop(cfg, pixels, w))
            conds.append(tr['tensors']['latent_tokens'][s])
    targets, conds = torch.stack(targets), torch.stack(conds)
    # Control: every window reconstructed from a latent of a different item.
    n_steps = len(sel[0][2]['windows'])
    perm = np.arange(len(sel))
    while np.any(perm == np.arange(len(sel))):
        perm = rng.permutation(len(sel))
    shuffled = conds.view(len(sel), n_steps, -1)[torch.tensor(perm)].reshape(conds.shape)
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(targets.shape, generator=g)
    rec = ddim_sample(model.unet, cfg, noise, conds.unsqueeze(1)).clamp(-1, 1)
    ctl = ddim_sample(model.unet, cfg, noise, shuffled.unsqueeze(1)).clamp(-1, 1)
    m = {'recon_mse': float(((rec - targets) ** 2).mean()), 'recon_mse_shuffled': float(((ctl - targets) ** 2).mean()),
         'recon_clip_sample': cfg.clip_sample}
    # The other sampler option, for choosing the bundle's clipSample.
    other = Config.from_dict({**cfg.to_dict(), 'clip_sample': not cfg.clip_sample})
    alt = ddim_sample(model.unet, other, noise, conds.unsqueeze(1)).clamp(-1, 1)
    m['recon_mse_clip' if other.clip_sample else 'recon_mse_noclip'] = float(((alt - targets) ** 2).mean())
    save_side_by_side(targets, rec, ctl, os.path.join(out_dir, 'reconstructions.png'), n_steps)
    return m


def save_side_by_side(targets, rec, ctl, path, n_steps, rows=8, scale=4):
    from PIL import Image
    def img(t):
        a = ((t.permute(1, 2, 0).numpy() + 1) * 127.5).clip(0, 255).astype(np.uint8)
        return Image.fromarray(a).resize((a.shape[1] * scale, a.shape[0] * scale), Image.NEAREST)
    tiles = [[img(targets[i]), img(rec[i]), img(ctl[i])] for i in range(0, min(len(targets), rows * n_steps), n_steps)]
    w, h = tiles[0][0].size
    gap = 4
    canvas = Image.new('RGB', (3 * w + 4 * gap, len(tiles) * (h + gap) + gap), (255, 255, 255))
    for r, row in enumerate(tiles):
        for c, t in enumerate(row):
            canvas.paste(t, (gap + c * (w + gap), gap + r * (h + gap)))
    canvas.save(path + '.tmp.png')
    os.replace(path + '.tmp.png', path)


def mean_max(x):
    """The appendix B hybrid pooling of a [tokens, d] sequence: [mean, max]."""
    return torch.cat([x.mean(0), x.max(0).values]).numpy()


@torch.no_grad()
def probe_features(model, traces):
    """Mean-max pooled latent tokens, rationale-text hidden states (the rationale run through the LLM) and the
    visual tokens of the asked-about box, as in appendix B; all three live in the LLM's hidden space."""
    lat, txt, vis = [], [], []
    for it, _, tr in traces:
        lat.append(mean_max(tr['tensors']['latent_tokens']))
        r = torch.tensor([data.tokenize(it['rationale'])])
        txt.append(mean_max(rationale_states(model, {'r_ids': r, 'r_len': torch.tensor([r.shape[1]])})[0][0, 1:]))
        # without a single target (fine split: mark_count, mark_same) the patches of every object in the scene
        boxes = [it['bbox']] if 'bbox' in it else it['objects']
        box = torch.tensor(np.max([data.bbox_patch_mask(b) for b in boxes], axis=0)) > 0
        vis.append(mean_max(tr['tensors']['visual_tokens'][0][box]))
    return np.stack(lat), np.stack(txt), np.stack(vis)


def linear_probe(a, b, seed=0, dim=256):
    """Matched (a_i, b_i) vs mismatched (a_i, b_j) pairs, half each, every item once as a positive and once as a
    negative. Both sides go through one fixed random projection to `dim` (the same matrix, so inner products are
    kept and nothing in it can learn the task), then L2 normalisation; a linear SVM sees u*v and |u-v|. Folds are
    grouped by item, so no item's features are in both training and test pairs. Returns the 5-fold CV accuracy."""
    from sklearn.model_selection import PredefinedSplit, cross_val_score
    from sklearn.svm import LinearSVC
    if a.shape[1] != b.shape[1]:
        raise ValueError(f'probe sides differ in width ({a.shape[1]} vs {b.shape[1]}): one projection cannot serve both')
    rng = np.random.default_rng(seed)
    proj = rng.normal(size=(a.shape[1], dim)) / np.sqrt(dim)
    za = a @ proj
    zb = b @ proj
    za /= np.linalg.norm(za, axis=1, keepdims=True)
    zb /= np.linalg.norm(zb, axis=1, keepdims=True)
    n = len(a)
    if n < 10:
        raise ValueError(f'the probe needs at least 10 items (2 per fold), got {n}')
    folds = np.arange(n) % 5
    rng.shuffle(folds)
    i = np.concatenate([np.arange(n), np.arange(n)])
    j = i.copy()
    neg = np.arange(2 * n) >= n
    # a negative partner comes from the same fold, so test pairs only ever hold test items
    for f in range(5):
        members = np.flatnonzero(folds == f)
        rows = np.flatnonzero(neg & (folds[i] == f))
        shift = rng.integers(1, len(members), size=len(rows))
        pos = np.searchsorted(members, i[rows])
        j[rows] = members[(pos + shift) % len(members)]
    x = np.concatenate([za[i] * zb[j], np.abs(za[i] - zb[j])], 1)
    y = (~neg).astype(int)
    return float(cross_val_score(LinearSVC(C=1.0, max_iter=20000), x, y, cv=PredefinedSplit(folds[i])).mean())


def evaluate(checkpoint, samples, out_dir, latent_steps=None):
    model, ck = load_checkpoint(checkpoint)
    model.eval()
    cfg = model.cfg
    items = data.load_samples(samples)
    settings = {'latentSteps': latent_steps or cfg.latent_steps, 'stop': 'fixed', 'threshold': 0.0,
                'maxLatentSteps': cfg.max_latent_steps, 'maxAnswerTokens': 4, 'lvrStop': 'fixed'}
    traces = trace_all(model, items, settings)
    m = {'items': len(items)}
    m.update(accuracy(traces))
    m['first_answer_visual_attention'] = float(np.mean(
        [tr['tensors']['first_answer_attention'].sum(-1).mean().item() for _, _, tr in traces]))
    if cfg.method == 'lare':
        m.update(pointing(cfg, traces))
        m.update(reconstruction(model, traces, out_dir))
    if cfg.method != 'direct':
        lat, txt, vis = probe_features(model, traces)
        # five seeds (projection, folds, negatives): the spread says how much a difference between models means
        for name, other in (('text', txt), ('visual', vis)):
            runs = [linear_probe(lat, other, seed=s) for s in range(5)]
            m[f'probe_{name}'] = float(np.mean(runs))
            m[f'probe_{name}_seeds'] = runs
        m['probe_pairs'] = 2 * len(traces)
        d = np.array([[r for r in tr['tensors']['distances'][1:]] for _, _, tr in traces])
        for k, name in enumerate(['cosine', 'l1', 'l2']):
            m[f'distance_{name}_median'] = float(np.median(d[:, :, k]))
    return m, ck


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--samples', default='media/samples/samples.jsonl')
    ap.add_argument('--out', required=True)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        raise SystemExit(f'cannot create {args.out}: {e}')
    m, _ = evaluate(args.checkpoint, args.samples, args.out)
    path = os.path.join(args.out, 'metrics.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(m, f, indent=2)
    os.replace(path + '.tmp', path)
    if 'distance_cosine_median' in m:
        # Adaptive-stop defaults for the manifest: the held-out median step-to-step distance of each metric.
        d = {'thresholds': {k: round(m[f'distance_{k}_median'], 4) for k in ('cosine', 'l1', 'l2')}}
        with open(os.path.join(args.out, 'defaults.json'), 'w') as f:
            json.dump(d, f, indent=2)
    print(json.dumps(m, indent=2))


if __name__ == '__main__':
    main()
