"""Golden traces: every intermediate of a full PyTorch trace, for the TypeScript runtime to reproduce.

  python3 training/golden.py --untrained lare --tiny --seed 0 --bundle test/fixtures/golden/bundles/lare-tiny \
      --image test/fixtures/golden/images/relation.png --question "what color is the shape left of the circle?" \
      --case lare-tiny [--stop cosine]

The PyTorch model must be the one the bundle was exported from (same --untrained/--seed, or --checkpoint).
The image must already be at the model's input size, so no resize happens on either side.
Writes test/fixtures/golden/<case>.json (atomically). Format: training/README.md, "Golden traces".
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import load_checkpoint  # noqa: E402
from model import Config, LatentModel  # noqa: E402
from reference import pixels_from_uint8, prompt_embeds, run_trace, special_pair  # noqa: E402
from train import TINY, VARIANTS  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, 'test', 'fixtures', 'golden')


def tensor_entry(value):
    if isinstance(value, list):  # distances: row 0 has no previous token, written as nulls
        rows = [[None, None, None] if r is None else r for r in value]
        return {'shape': [len(rows), 3], 'data': [None if v is None or math.isnan(v) else v for r in rows for v in r]}
    t = value.detach().float()
    return {'shape': list(t.shape), 'data': t.flatten().tolist()}


def build_model(args):
    if args.from_bundle:
        from bundle_model import model_from_bundle
        return model_from_bundle(args.bundle)[0]
    if args.checkpoint:
        return load_checkpoint(args.checkpoint)[0]
    if args.untrained not in VARIANTS or args.untrained == 'stage1':
        raise SystemExit(f'unknown variant {args.untrained!r}')
    torch.manual_seed(args.seed)
    d = dict(VARIANTS[args.untrained])
    if args.tiny:
        d.update(TINY)
    return LatentModel(Config(**d))


def midpoint_threshold(model, pixels, ids, metric, max_steps):
    """A threshold halfway between two observed distances, so the adaptive stop fires mid-trace and
    float noise cannot move it."""
    probe = run_trace(model, pixels, ids, {'latentSteps': max_steps, 'stop': 'fixed', 'threshold': 0,
                                           'maxLatentSteps': max_steps, 'maxAnswerTokens': 1})
    col = {'cosine': 0, 'l1': 1, 'l2': 2}[metric]
    d = sorted(r[col] for r in probe['tensors']['distances'][1:])
    if len(d) < 2:
        return d[0] * 2 if d else 1.0
    return 0.5 * (d[0] + d[1])


LENS_K = 5


@torch.no_grad()
def heads_and_lens(model, trace, settings, k):
    """Per-head attention rows and the logit lens, recomputed without a KV cache: the whole sequence up
    to each source position in one forward pass, whose newest position is the source. Sources are the
    runtime's default (every latent step, then the first answer token), positions as docs/trace-format.md.
    The answer's last token is fed only when EOS ended the answer, as the runtime's loop does."""
    cfg = model.cfg
    dec = model.decoder
    t = trace['tensors']
    emb, vis, _, _ = prompt_embeds(model, t['pixels'], trace['questionIds'])
    P = emb.shape[1]
    latents = t.get('latent_tokens', torch.zeros(0, cfg.dim))
    T = latents.shape[0]
    answer = trace['answerIds']
    fed = answer if len(answer) < settings['maxAnswerTokens'] else answer[:-1]
    parts = [emb, latents.view(1, T, cfg.dim)]
    if cfg.method != 'direct':
        parts.append(dec.embed(torch.tensor([[special_pair(cfg.method)[1]]])))
    if fed:
        parts.append(dec.embed(torch.tensor([fed])))
    seq = torch.cat(parts, 1)
    K = seq.shape[1]
    base = P + T if cfg.method != 'direct' else P - 1
    positions = [P + i for i in range(T)] + ([base] if answer else [])
    rows = torch.zeros(len(positions), cfg.layers, cfg.heads, K)
    hidden_at = {}
    for n, q in enumerate(positions):
        pk, pv = dec.empty_cache(1)
        out = dec(seq[:, :q + 1], pk, pv, heads=True)
        rows[n, :, :, :q + 1] = out[6][:, 0]
        hidden_at[q] = out[2][:, 0, -1]  # [L+1, D]
    result = {'head_attention': rows, 'head_positions': torch.tensor(positions, dtype=torch.float32)}
    if T:
        probs = torch.softmax(torch.stack([dec.lens(hidden_at[P + i].unsqueeze(0))[0] for i in range(T)]), dim=-1)
        top = probs.topk(k, dim=-1)
        vis_n = torch.nn.functional.normalize(vis[0], dim=-1)
        cos = torch.stack([torch.nn.functional.normalize(hidden_at[P + i], dim=-1) @ vis_n.T for i in range(T)])
        near = cos.topk(k, dim=-1)
        result.update({'lens_token_ids': top.indices.float(), 'lens_token_probs': top.values,
                       'lens_patch_ids': near.indices.float(), 'lens_patch_cosines': near.values})
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint')
    src.add_argument('--untrained', metavar='VARIANT')
    src.add_argument('--from-bundle', action='store_true',
                     help='rebuild the PyTorch model from --bundle\'s own weights (bundle_model.py)')
    ap.add_argument('--tiny', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--bundle', required=True, help='the exported bundle folder (recorded relative to the repo)')
    ap.add_argument('--image', required=True)
    ap.add_argument('--question', required=True)
    ap.add_argument('--case', required=True)
    ap.add_argument('--stop', default='fixed', choices=['fixed', 'cosine', 'l1', 'l2'])
    ap.add_argument('--lvr-stop', default='fixed', choices=['fixed', 'end-token', 'end-distance'])
    ap.add_argument('--latent-steps', type=int)
    ap.add_argument('--noise-seed', type=int, default=0)
    ap.add_argument('--out-dir', default=OUT_DIR)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model = build_model(args).eval()
    cfg = model.cfg
    manifest_path = os.path.join(args.bundle, 'latent-trace.json')
    if not os.path.isfile(manifest_path):
        raise SystemExit(f'{manifest_path} does not exist: export the bundle first')
    with open(manifest_path) as f:
        manifest = json.load(f)
    # The bundle is the truth for sampler options chosen at export.
    cfg.clip_sample = bool(manifest.get('reconstruction', {}).get('clipSample', False))
    from PIL import Image
    image = np.asarray(Image.open(args.image).convert('RGB'))
    if image.shape[:2] != (cfg.image_size, cfg.image_size):
        raise SystemExit(f'{args.image} is {image.shape[1]}x{image.shape[0]}; golden images must be '
                         f'{cfg.image_size}x{cfg.image_size} so that no resize happens')
    pixels = pixels_from_uint8(image)
    ids = data.tokenize(args.question)
    defaults = manifest['defaults']
    settings = {'latentSteps': args.latent_steps or defaults['latentSteps'], 'stop': args.stop,
                'threshold': defaults['thresholds'].get(args.stop, 0.0) if args.stop != 'fixed' else 0.0,
                'maxLatentSteps': defaults['maxLatentSteps'], 'maxAnswerTokens': defaults['maxAnswerTokens']}
    if args.stop != 'fixed':
        settings['threshold'] = midpoint_threshold(model, pixels, ids, args.stop, settings['maxLatentSteps'])
    if cfg.method == 'lvr':
        settings['lvrStop'] = args.lvr_stop
        settings['lvrEndDistance'] = defaults.get('lvrEndDistance', 1.0)
    with torch.no_grad():
        trace = run_trace(model, pixels, ids, settings, noise_seed=args.noise_seed)
    trace['questionIds'] = ids
    out = {
        'bundle': os.path.relpath(os.path.abspath(args.bundle), REPO),
        'bundleHash': manifest['hash'],
        'image': os.path.relpath(os.path.abspath(args.image), REPO),
        'question': args.question,
        'settings': settings,
        'inputIds': ids,
        'promptLength': trace['promptLength'],
        'visualStart': trace['visualStart'],
        'tensors': {k: tensor_entry(v) for k, v in trace['tensors'].items()},
        'windows': trace['windows'],
        'answerIds': trace['answerIds'],
        'answerText': trace['answerText'],
        'stoppedAt': trace['stoppedAt'],
        'noiseSeed': args.noise_seed,
    }
    if 'lens' in manifest['graphs']:
        out['tensors'].update({k: tensor_entry(v) for k, v in heads_and_lens(model, trace, settings, LENS_K).items()})
        out['lensK'] = LENS_K
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, args.case + '.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(out, f)
    os.replace(path + '.tmp', path)
    print(json.dumps({'case': args.case, 'stoppedAt': trace['stoppedAt'], 'windows': trace['windows'],
                      'answer': trace['answerText'], 'threshold': settings['threshold']}))


if __name__ == '__main__':
    main()
