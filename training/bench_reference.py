"""Times the PyTorch reference of a bundled model on this CPU (eager, no_grad, 1 thread) for `npm run bench`.

The trace is the one the TypeScript engine runs (docs/bundle-format.md; the prefill from reference.py), timed from the image file: image
loading and normalisation, vision, prefill with the KV cache,
T latent steps (LaRe: saliency -> sum-pooled window -> Extractor -> one decoder step; LVR: last hidden state
fed back), latent_end, then exactly K answer tokens (EOS ignored, so both sides do the same work).
The model is the one the bundle was exported from: --checkpoint, or rebuilt from the bundle's own weights
(bundle_model.py), so a fresh clone can run it.
Prints one JSON line: {"median_ms": ..., "min_ms": ..., "times_ms": [...], "torch": ..., "threads": ...}.

    training/.venv/bin/python training/bench_reference.py --bundle models/lare-shapes \\
        --image media/samples/images/0000.png --question "what color is the circle?" --steps 4 --answer-tokens 16
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from model import Config, LatentModel, window_index_matrix, window_patches, window_starts  # noqa: E402
from bundle_model import BundleModelError, model_from_bundle  # noqa: E402
from reference import prompt_embeds  # noqa: E402
from train import TINY, VARIANTS  # noqa: E402



def load_reference_model(bundle, manifest, checkpoint):
    """--checkpoint; else a seeded init for `export.py --untrained V [--tiny] --seed S` bundles; else the
    model rebuilt from the bundle's own committed weights (bundle_model.py, checked against the bundle)."""
    args = manifest['provenance']['command'].split()

    def opt(name):
        return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else None

    if checkpoint is None and opt('--untrained'):
        torch.manual_seed(int(opt('--seed') or 0))
        d = dict(VARIANTS[opt('--untrained')])
        if '--tiny' in args:
            d.update(TINY)
        return LatentModel(Config(**d))
    if checkpoint is None:
        try:
            return model_from_bundle(bundle)[0]
        except BundleModelError as e:
            raise SystemExit(str(e))
    if not os.path.isfile(checkpoint):
        raise SystemExit(f'checkpoint {checkpoint} does not exist')
    ck = torch.load(checkpoint, map_location='cpu')
    model = LatentModel(Config.from_dict(ck['cfg']))
    model.load_state_dict(ck['model'])
    return model


def load_pixels(path, size, mean, std):
    from PIL import Image
    img = Image.open(path).convert('RGB')
    if img.size != (size, size):
        img = img.resize((size, size), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    return ((x - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]).unsqueeze(0)


@torch.no_grad()
def trace(model, pixels, q_ids, steps, answer_tokens, end_id):
    cfg, dec = model.cfg, model.decoder
    n = cfg.visual_tokens
    emb, vis, local, v0 = prompt_embeds(model, pixels, q_ids)
    pk, pv = dec.empty_cache(1)
    logits, last, hidden, attn, pk, pv = dec(emb, pk, pv)
    if cfg.method == 'lare':
        m = window_index_matrix(cfg)
        starts = window_starts(cfg)
        for _ in range(steps):
            sal = attn[list(cfg.saliency_layers), 0, v0:v0 + n].mean(0)
            w = int(torch.argmax(m @ sal))
            window = local[:, window_patches(cfg, starts[w])]
            state = hidden[list(cfg.state_layers), :, -1].transpose(0, 1)
            token, _ = model.latent_token(state, window)
            logits, last, hidden, attn, pk, pv = dec(token.unsqueeze(1), pk, pv)
    elif cfg.method == 'lvr':
        for _ in range(steps):
            logits, last, hidden, attn, pk, pv = dec(last[:, -1:], pk, pv)
    if end_id is not None:
        logits, last, hidden, attn, pk, pv = dec(dec.embed(torch.tensor([[end_id]])), pk, pv)
    answer = []
    for i in range(answer_tokens):
        answer.append(int(logits[0, -1].argmax()))
        if i + 1 < answer_tokens:
            logits, last, hidden, attn, pk, pv = dec(dec.embed(torch.tensor([[answer[-1]]])), pk, pv)
    return answer


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bundle', required=True)
    ap.add_argument('--checkpoint')
    ap.add_argument('--image', required=True)
    ap.add_argument('--question', required=True)
    ap.add_argument('--steps', type=int, default=4)
    ap.add_argument('--answer-tokens', type=int, default=16)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    manifest_path = os.path.join(a.bundle, 'latent-trace.json')
    if not os.path.isfile(manifest_path):
        raise SystemExit(f'{manifest_path} does not exist')
    with open(manifest_path) as f:
        manifest = json.load(f)
    model = load_reference_model(a.bundle, manifest, a.checkpoint).eval()
    im = manifest['image']
    special = manifest['tokenizer']['special']
    direct = model.cfg.method == 'direct'
    end_id = None if direct else data.TOKEN_ID[special['latentEnd']]

    def run():
        # from the image file, like the TypeScript engine's full trace
        pixels = load_pixels(a.image, im['size'], im['mean'], im['std'])
        return trace(model, pixels, data.tokenize(a.question), a.steps, a.answer_tokens, end_id)

    run()  # warm-up
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'median_ms': statistics.median(times), 'min_ms': min(times), 'times_ms': [round(t, 3) for t in times],
                      'torch': torch.__version__, 'threads': a.threads}))


if __name__ == '__main__':
    main()
