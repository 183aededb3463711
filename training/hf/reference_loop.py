"""The whole trace in the PyTorch reference, step for step as the TypeScript engine defines it (src/runtime/engine.ts,
lare-loop.ts, lvr-loop.ts, loop-parts.ts, window.ts, generate.ts; docs/bundle-format.md, the loop sections).

  cache = empty_cache(m)
  out, cache = decoder_call(m, prefill_embeds, cache, prefill_position_ids)
  trace = run_trace(m, visual, grid, image_offset, out, cache, rules)

Every decoder call returns the newest position's logits [V], last hidden state [D], hidden states [L+1,D] and
attention (mean over heads) [L,P+S]. M-RoPE positions continue from the largest position so far plus one on all
three axes, as Qwen2.5-VL's rope delta does; implied positions are the past length. Shared by the golden traces
(training/hf_golden.py) and anything else that needs the reference loop (the scale ladder's PyTorch side).
"""
import torch

from model import ddim_sample


class Cache:
    """The KV cache and the position the next token takes."""

    def __init__(self, keys, values, next_position):
        self.keys, self.values, self.next = keys, values, next_position


def empty_cache(m):
    k, v = m.text.empty_cache()
    return Cache(k, v, 0)


@torch.no_grad()
def decoder_call(m, embeds, cache, position_ids=None):
    """embeds [1,S,D] after `cache`; M-RoPE position_ids [3,1,S] default to cache.next + i on every axis."""
    s = embeds.shape[1]
    mrope = m.text.c.mrope_section is not None
    if mrope and position_ids is None:
        position_ids = (torch.arange(s) + cache.next).view(1, 1, -1).expand(3, 1, -1)
    hidden, probs, pk, pv = m.text.run(embeds, cache.keys, cache.values, position_ids if mrope else None)
    nxt = int(position_ids.max()) + 1 if mrope else cache.next + s
    out = {"logits": m.text.logits(hidden[-1][0, -1]), "last": hidden[-1][0, -1],
           "states": torch.stack([h[0, -1] for h in hidden]),
           "attention": torch.stack([a[0, :, -1].mean(0) for a in probs])}
    return out, Cache(pk, pv, nxt)


def saliency(attention, layers, offset, n):
    """Mean over `layers` of the newest position's attention on the n visual positions from `offset`."""
    return attention[list(layers), offset:offset + n].mean(0)


def choose_window(sal, rows, cols, size, stride):
    """Sum-pooled saliency of every window (row-major) and the first maximum's (row, col)."""
    grid = sal.view(rows, cols).double()
    windows = grid.unfold(0, size, stride).unfold(1, size, stride)       # [R', C', size, size]
    scores = windows.sum((-1, -2)).float()
    best = int(torch.argmax(scores.flatten()))
    return scores.flatten(), (best // scores.shape[1]) * stride, (best % scores.shape[1]) * stride


def step_distance(cur, prev):
    """(cosine distance, L1, L2) between consecutive latent tokens, in float64 as the runtime accumulates."""
    a, b = cur.double(), prev.double()
    d = a - b
    denom = a.norm() * b.norm()
    cos = 0.0 if float(denom) == 0 else float((a * b).sum() / denom)
    return [1 - cos, float(d.abs().sum()), float(d.norm())]


def latent_criterion(criterion, v, end):
    """LVR's stop criterion against the latent-end embedding, averaged over the dimension."""
    v, end = v.double(), end.double()
    if criterion == "cosine":
        return float(1 - torch.nn.functional.cosine_similarity(v, end, dim=0, eps=1e-8))
    d = v - end
    return float((d * d).mean() if criterion == "mse" else d.abs().mean())


def adaptive_stop(rules, t, dist):
    """LaRe's stopAfter: fixed T, or a distance below the threshold, capped at maxLatentSteps."""
    if rules["stop"] == "fixed":
        return "fixed" if t >= rules["latentSteps"] else None
    if dist is not None and dist[{"cosine": 0, "l1": 1, "l2": 2}[rules["stop"]]] < rules["threshold"]:
        return "threshold"
    return "max-steps" if t >= rules["maxLatentSteps"] else None


@torch.no_grad()
def lare_steps(m, visual, grid, offset, last, cache, rules, lap=None):
    cfg, extractor, _ = m.lare
    rows, cols = grid
    n = rows * cols
    local = visual[0]
    rec = {"saliency": [], "latent_tokens": [], "window_scores": [], "cross_attention": [], "windows": []}
    for t in range(1, 10 ** 9):
        sal = saliency(last["attention"], cfg.saliency_layers, offset, n)
        scores, r, c = choose_window(sal, rows, cols, cfg.window, cfg.stride)
        patches = [(r + i) * cols + c + j for i in range(cfg.window) for j in range(cfg.window)]
        state = last["states"][list(cfg.state_layers)].unsqueeze(0)
        token, cross = extractor(state, local[patches].unsqueeze(0))
        token = token[0]
        dist = step_distance(token, rec["latent_tokens"][-1]) if rec["latent_tokens"] else None
        rec["saliency"].append(sal)
        rec["window_scores"].append(scores)
        rec["cross_attention"].append(cross[0])
        rec["windows"].append({"row": r, "col": c, "size": cfg.window})
        rec["latent_tokens"].append(token)
        rec.setdefault("distances", []).append(dist)
        reason = adaptive_stop(rules, t, dist)
        last, cache = decoder_call(m, token.view(1, 1, -1), cache)
        if lap:
            lap("latent")
        if reason:
            return rec, last, cache, reason


@torch.no_grad()
def lvr_steps(m, visual, grid, offset, last, cache, rules, lap=None):
    """LVR: the head on the newest last hidden state is fed back; the vector that meets a stop rule is not fed."""
    n = grid[0] * grid[1]
    layers = rules.get("saliencyLayers") or list(range(m.text.c.layers))
    fed = (lambda h: m.lvr_head(h.view(1, 1, -1)).view(-1)) if m.lvr_head is not None else (lambda h: h.clone())
    rec = {"saliency": [], "latent_tokens": [], "distances": [], "latent_criterion": []}
    nxt = fed(last["last"])
    for t in range(1, 10 ** 9):
        rec["saliency"].append(saliency(last["attention"], layers, offset, n))
        token = nxt
        rec["distances"].append(step_distance(token, rec["latent_tokens"][-1]) if rec["latent_tokens"] else None)
        rec["latent_tokens"].append(token)
        last, cache = decoder_call(m, token.view(1, 1, -1), cache)
        if lap:
            lap("latent")
        reason = None
        if rules["lvrStop"] == "fixed" and t >= rules["latentSteps"]:
            reason = "fixed"
        else:
            nxt = fed(last["last"])
            if rules["lvrStop"] == "end-token" and int(torch.argmax(last["logits"])) == rules["endId"]:
                reason = "end-token"
            elif rules["lvrStop"] == "latent":
                crit = latent_criterion(rules["criterion"], nxt, m.latent_end)
                rec["latent_criterion"].append(crit)
                if crit < rules["lvrThreshold"]:
                    reason = "latent"
        if not reason and t >= rules["maxLatentSteps"]:
            reason = "max-steps"
        if reason:
            return rec, last, cache, reason


@torch.no_grad()
def greedy_answer(m, last, cache, eos_id, max_tokens, lap=None):
    ids = []
    while True:
        tok = int(torch.argmax(last["logits"]))
        if tok == eos_id:
            return ids
        ids.append(tok)
        if len(ids) >= max_tokens:
            return ids
        last, cache = decoder_call(m, m.text.embed(torch.tensor([[tok]])), cache)
        if lap:
            lap("answer")


@torch.no_grad()
def run_trace(m, visual, grid, offset, prefill_out, cache, rules, lap=None):
    """From the prefill's newest outputs: the latent steps, latentEnd, first-answer attention and greedy answer.
    `rules`: latentSteps, maxLatentSteps, stop, threshold, maxAnswerTokens, endId, eosId, and for LVR lvrStop,
    criterion, lvrThreshold (saliencyLayers optional); eosId -1 generates exactly maxAnswerTokens. `lap(phase)`, if
    given, is called after each decoder call ("latent", "latentEnd", "answer"), for timing.
    Returns (record of tensors and lists, stop reason)."""
    n = grid[0] * grid[1]
    last = prefill_out
    rec, reason = {}, "none"
    if m.method == "lare":
        rec, last, cache, reason = lare_steps(m, visual, grid, offset, last, cache, rules, lap)
    elif m.method == "lvr":
        rec, last, cache, reason = lvr_steps(m, visual, grid, offset, last, cache, rules, lap)
    if m.method != "direct":
        last, cache = decoder_call(m, m.text.embed(torch.tensor([[rules["endId"]]])), cache)
        if lap:
            lap("latentEnd")
    rec["first_answer_attention"] = last["attention"][:, offset:offset + n]
    rec["answerIds"] = greedy_answer(m, last, cache, rules["eosId"], rules["maxAnswerTokens"], lap)
    return rec, reason


@torch.no_grad()
def reconstruct(m, latent_tokens, noise):
    """LaRe's DDIM reconstruction of every latent token from the given initial noise [T,C,H,W]."""
    cfg, _, unet = m.lare
    return ddim_sample(unet, cfg, noise, torch.stack(latent_tokens).unsqueeze(1))

