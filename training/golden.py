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
from reference import pixels_from_uint8, run_trace  # noqa: E402
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint')
    src.add_argument('--untrained', metavar='VARIANT')
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
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, args.case + '.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(out, f)
    os.replace(path + '.tmp', path)
    print(json.dumps({'case': args.case, 'stoppedAt': trace['stoppedAt'], 'windows': trace['windows'],
                      'answer': trace['answerText'], 'threshold': settings['threshold']}))


if __name__ == '__main__':
    main()
