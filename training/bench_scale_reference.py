"""The scale ladder's PyTorch side: the trace the TypeScript engine ran, in the reference (training/hf), timed per phase.

  training/.venv/bin/python training/bench_scale_reference.py <hf-checkpoint> --extra <lare_extra.safetensors> \\
      --replay <dir written by bench/scale-trace-child.ts> [--answer-tokens 8] [--threads 1]

The replay folder holds the engine's prefill token ids (-1 at the visual positions) and its pixel input, so both
sides run the same prompt through vision, the prefill, T latent LaRe steps (saliency from the newest position's
attention, the sum-pooled window, the Extractor, one decoder step), latentEnd and exactly K greedy answer tokens,
at T=4 and T=32, then one batched DDIM reconstruction of the T=4 latent tokens. Prints one JSON line with the
phase times (medians), the peak RSS of this process (VmHWM), and the T=4 run's answer ids and latent tokens.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.families import load_model, prefill_embeddings  # noqa: E402
from convert_hf import LATENT_TOKENS  # noqa: E402
from model import ddim_sample  # noqa: E402


def peak_rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status: no VmHWM line")


class Clock:
    """Durations of the calls made between two marks, grouped by phase."""

    def __init__(self):
        self.phases = {}
        self.mark = time.perf_counter()

    def lap(self, phase):
        now = time.perf_counter()
        self.phases.setdefault(phase, []).append((now - self.mark) * 1000)
        self.mark = now


def decoder_step(m, x, pk, pv):
    hidden, probs, pk, pv = m.text.run(x, pk, pv)
    attention = torch.stack([a[0, :, -1].mean(0) for a in probs])           # [L,P+S], mean over heads
    states = torch.stack([h[0, -1] for h in hidden])                         # [L+1,D]
    return m.text.logits(hidden[-1][0, -1]), states, attention, pk, pv


def lare_window(cfg, attention, offset, grid):
    """The window (row, col) of largest summed saliency; saliency = mean attention of cfg.saliency_layers."""
    sal = attention[list(cfg.saliency_layers), offset:offset + grid * grid].mean(0).view(1, 1, grid, grid)
    scores = F.avg_pool2d(sal, cfg.window, stride=cfg.stride)[0, 0]
    best = int(torch.argmax(scores.flatten()))
    return (best // scores.shape[1]) * cfg.stride, (best % scores.shape[1]) * cfg.stride


@torch.no_grad()
def trace(m, pixels, ids, offset, steps, answer_tokens, end_id, clock):
    cfg, extractor, _ = m.lare
    grid = m.vision.grid
    clock.lap("idle")
    visual = m.vision(pixels)
    clock.lap("vision")
    pk, pv = m.text.empty_cache()
    logits, states, attention, pk, pv = decoder_step(m, prefill_embeddings(m, ids, visual), pk, pv)
    clock.lap("prefill")
    tokens = []
    local = visual[0].view(grid, grid, -1)
    for _ in range(steps):
        r, c = lare_window(cfg, attention, offset, grid)
        window = local[r:r + cfg.window, c:c + cfg.window].reshape(1, cfg.window * cfg.window, -1)
        token, _ = extractor(states[list(cfg.state_layers)].unsqueeze(0), window)
        tokens.append(token[0])
        logits, states, attention, pk, pv = decoder_step(m, token.view(1, 1, -1), pk, pv)
        clock.lap(f"latent{steps}")
    logits, states, attention, pk, pv = decoder_step(m, m.text.embed(torch.tensor([[end_id]])), pk, pv)
    clock.lap("idle")
    answer = []
    for i in range(answer_tokens):
        answer.append(int(logits.argmax()))
        if i + 1 < answer_tokens:
            logits, states, attention, pk, pv = decoder_step(m, m.text.embed(torch.tensor([[answer[-1]]])), pk, pv)
            clock.lap(f"answer{steps}")
    return answer, tokens


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--extra", required=True)
    p.add_argument("--replay", required=True)
    p.add_argument("--answer-tokens", type=int, default=8)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    m = load_model(a.checkpoint, "llava", "lare", a.extra)
    load_ms = (time.perf_counter() - t0) * 1000
    with open(os.path.join(a.replay, "prefill.json")) as f:
        replay = json.load(f)
    ids = [m.image_token_id if i < 0 else i for i in replay["inputIds"]]
    size = m.vision.image_size
    pixels = torch.from_numpy(np.fromfile(os.path.join(a.replay, "pixels.f32"), dtype="<f4")).view(1, 3, size, size)
    with open(os.path.join(a.checkpoint, "tokenizer.json"), encoding="utf-8") as f:
        added = {t["content"]: t["id"] for t in json.load(f)["added_tokens"]}
    end_id = added[LATENT_TOKENS["lare"][1]]
    clock = Clock()
    trace(m, pixels, ids, replay["imageOffset"], 4, a.answer_tokens, end_id, clock)  # warm-up
    clock = Clock()
    runs = [trace(m, pixels, ids, replay["imageOffset"], 4, a.answer_tokens, end_id, clock) for _ in range(2)]
    trace(m, pixels, ids, replay["imageOffset"], 32, a.answer_tokens, end_id, clock)
    answer, tokens = runs[-1]
    cfg, _, unet = m.lare
    conds = torch.stack(tokens).unsqueeze(1)
    noise = torch.randn(len(tokens), 3, cfg.recon_size, cfg.recon_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ddim_sample(unet, cfg, noise, conds)  # warm-up
        r0 = time.perf_counter()
        ddim_sample(unet, cfg, noise, conds)
    reconstruct_ms = (time.perf_counter() - r0) * 1000
    med = {k: statistics.median(v) for k, v in clock.phases.items()}
    print(json.dumps({
        "loadMs": load_ms, "visionMs": med["vision"], "prefillMs": med["prefill"],
        "latentStepMs": {"4": med["latent4"], "32": med["latent32"]},
        "answerTokenMs": {"4": med["answer4"], "32": med["answer32"]},
        "answerTokenMsAll": statistics.median(clock.phases["answer4"] + clock.phases["answer32"]),
        "reconstructMs": reconstruct_ms, "peakRssBytes": peak_rss_bytes(),
        "answerIds": answer, "latentTokens": [t.tolist() for t in tokens],
        "torch": torch.__version__, "threads": a.threads}))


if __name__ == "__main__":
    main()
