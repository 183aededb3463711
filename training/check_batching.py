"""Checks that the batched, left-padded training rollout computes exactly what the batch-1 reference loop
(the one the bundle runs) computes: prefill logits and saliency, and LaRe latent tokens. Used by smoke_test.sh."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import batches  # noqa: E402
import data  # noqa: E402
from model import Config, LatentModel  # noqa: E402
from reference import run_trace  # noqa: E402
from train import TINY, VARIANTS, Rollout  # noqa: E402


def max_difference():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    items = [data.generate_item(rng, [t]) for t in ('color', 'relation', 'count', 'exist')]
    batch = batches.collate(items, 6)
    assert len(set(batch['q_len'].tolist())) > 1, 'the check needs questions of different lengths'
    worst = 0.0
    for variant in ('direct', 'lare', 'lvr'):
        model = LatentModel(Config(**{**VARIANTS[variant], **TINY})).eval()
        n = model.cfg.visual_tokens
        with torch.no_grad():
            r = Rollout(model, batch)
            for i, it in enumerate(items):
                tr = run_trace(model, batch['pixels'][i:i + 1], data.tokenize(it['question']),
                               {'latentSteps': 1, 'stop': 'fixed', 'threshold': 0, 'maxLatentSteps': 1,
                                'maxAnswerTokens': 1, 'lvrStop': 'fixed'})
                prefill = tr['tensors']['prefill_attention']  # [L, S] of the last prompt position
                mine = r.attn[:, i, r.key_mask[i]]
                worst = max(worst, float((prefill - mine).abs().max()))
                if variant == 'direct':
                    got = r.attn[:, i, r.vis_start:r.vis_start + n]
                    worst = max(worst, float((tr['tensors']['first_answer_attention'] - got).abs().max()))
                if variant == 'lare':
                    worst = max(worst, float((tr['tensors']['saliency'][0] - r.saliency()[i]).abs().max()))
    return worst


def main():
    worst = max_difference()
    print(f'max abs difference batched vs batch-1: {worst:.2e}')
    sys.exit(0 if worst < 1e-5 else 1)


if __name__ == '__main__':
    main()
