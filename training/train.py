"""Staged training of the bundled model family on the synthetic shapes task.

  stage1            vision-language alignment + direct answering, dense per-patch supervision (shared)
  direct            the no-latent baseline, fine-tuned from stage1 for as long as the latent variants
  lare              LaRe: saliency window + Extractor, InfoNCE alignment, DDPM window reconstruction,
                    text-prefix reconstruction, next-token loss
  lare-noextractor  LaRe with latent = mean of the window features (paper Table 6 ablation)
  lvr               LVR: last hidden state fed back, MSE to the visual tokens in the box

Example: python3 training/train.py lare --init training/runs/stage1/final.pt --run-dir training/runs/lare
A run directory holds checkpoint.pt (resumed automatically), train.log lines and final.pt.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import batches  # noqa: E402
import data  # noqa: E402
from model import Config, LatentModel, diffusion_schedule, window_index_matrix, window_starts, window_patches  # noqa: E402

VARIANTS = {
    'stage1': dict(method='direct', extractor=False),
    'direct': dict(method='direct', extractor=False),
    'lare': dict(method='lare', extractor=True),
    'lare-noextractor': dict(method='lare', extractor=False),
    'lvr': dict(method='lvr', extractor=False),
}
TINY = dict(dim=32, layers=2, heads=2, vision_channels=(8, 16, 16), unet_channels=(8, 16, 16),
            extractor_heads=2, extractor_layers=1, saliency_layers=(0, 1), state_layers=(1, 2),
            diffusion_steps=100, sampler_steps=5, align_dim=16, clip_sample=False)
ID = data.TOKEN_ID
NEW_MODULES = ('extractor.', 'unet.', 'align_')  # not trained in stage I


def special_tokens(method):
    if method == 'lvr':
        return ID['<|lvr_start|>'], ID['<|lvr_end|>']
    if method == 'lare':
        return ID['<|latent_start|>'], ID['<|latent_end|>']
    return None, None


class Rollout:
    """Batched prompt + KV cache with left-padded questions: pads sit between bos and the question, are
    masked out as keys and skipped by the positions, so every sample sees exactly the batch-1 sequence."""

    def __init__(self, model, batch):
        self.model, self.cfg = model, model.cfg
        dec = model.decoder
        cfg = self.cfg
        start, _ = special_tokens(cfg.method)
        vis, local, feats = model.vision(batch['pixels'])
        self.vis, self.local, self.feats = vis, local, feats
        b, n = vis.shape[:2]
        q = batch['q_ids']
        qmax = q.shape[1]
        # Template [bos, {question}, {image}, latentStart]: the visual tokens can read the question.
        parts = [torch.full((b, 1), ID['<bos>']), q, torch.full((b, n), ID['<pad>'])]
        if start is not None:
            parts.append(torch.full((b, 1), start))
        ids = torch.cat(parts, 1)
        self.vis_start = 1 + qmax
        emb = dec.embed(ids)
        emb = torch.cat([emb[:, :self.vis_start], vis, emb[:, self.vis_start + n:]], 1)
        s = ids.shape[1]
        npad = qmax - batch['q_len']
        idx = torch.arange(s).unsqueeze(0).expand(b, s)
        first_q = 1 + npad.unsqueeze(1)
        self.key_mask = (idx == 0) | (idx >= first_q)
        positions = torch.where(idx >= first_q, idx - npad.unsqueeze(1), idx)
        positions = torch.where(self.key_mask, positions, torch.zeros_like(positions))
        self.next_pos = s - npad
        pk, pv = dec.empty_cache(b)
        out = dec(emb, pk, pv, positions=positions, key_mask=self.key_mask)
        self.logits, self.last, self.hidden, self.attn, self.pk, self.pv = out
        self.prefill_hidden = self.hidden

    def feed(self, embeds):
        """Append embeds [B,S,D] to every sequence."""
        b, s, _ = embeds.shape
        self.key_mask = torch.cat([self.key_mask, torch.ones(b, s, dtype=torch.bool)], 1)
        positions = self.next_pos.unsqueeze(1) + torch.arange(s).unsqueeze(0)
        self.next_pos = self.next_pos + s
        out = self.model.decoder(embeds, self.pk, self.pv, positions=positions, key_mask=self.key_mask)
        self.logits, self.last, self.hidden, self.attn, self.pk, self.pv = out
        return out

    def saliency(self):
        """[B,N] mean over saliency layers of the newest position's attention to the visual tokens."""
        n = self.cfg.visual_tokens
        return self.attn[list(self.cfg.saliency_layers)].mean(0)[:, self.vis_start:self.vis_start + n]

    def visual_hidden(self, layer):
        """[B,N,D] prefill hidden states of the visual positions after `layer` blocks."""
        return self.prefill_hidden[layer][:, self.vis_start:self.vis_start + self.cfg.visual_tokens]

    def answer_loss(self, answer, direct):
        """Next-token loss on `answer` then `eos` (after latentEnd unless `direct`); returns loss, correct."""
        dec = self.model.decoder
        b = answer.shape[0]
        if direct:
            first = self.logits[:, -1]
            logits = torch.cat([first.unsqueeze(1), self.feed(dec.embed(answer.unsqueeze(1)))[0]], 1)
        else:
            _, end = special_tokens(self.cfg.method)
            chunk = torch.stack([torch.full((b,), end), answer], 1)
            logits = self.feed(dec.embed(chunk))[0]
            first = logits[:, 0]
        target = torch.stack([answer, torch.full((b,), ID['<eos>'])], 1)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        return loss, (first.argmax(-1) == answer)


def saliency_loss(sal, focus):
    """Cross-entropy between the renormalised saliency over the visual grid and the box's patches."""
    p = sal / sal.sum(1, keepdim=True).clamp_min(1e-9)
    t = focus / focus.sum(1, keepdim=True).clamp_min(1e-9)
    return -(t * torch.log(p + 1e-9)).sum(1).mean()


def patch_loss(model, rollout, batch):
    """Dense supervision: per-patch colour/shape from the vision features, and per-patch relevance to the
    question (the asked-about box) from the LLM's hidden states at the visual positions."""
    f = rollout.feats
    relevance = model.relevance_head(rollout.visual_hidden(model.cfg.relevance_layer)).squeeze(-1)
    loss = (F.cross_entropy(model.vision.color_head(f).flatten(0, 1), batch['color_labels'].flatten())
            + F.cross_entropy(model.vision.shape_head(f).flatten(0, 1), batch['shape_labels'].flatten())
            + F.binary_cross_entropy_with_logits(relevance, batch['target']))
    if model.cfg.split == 'fine':
        # the mark of the object in each patch, read from the local features (what the window sees)
        loss = loss + F.cross_entropy(model.vision.mark_head(rollout.local).flatten(0, 1), batch['mark_labels'].flatten())
    return loss


def info_nce(a, b, tau=0.1):
    a, b = F.normalize(a, dim=-1), F.normalize(b, dim=-1)
    logits = a @ b.t() / tau
    target = torch.arange(a.shape[0])
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


@torch.no_grad()
def rationale_states(model, batch):
    """The LLM's last hidden states of <bos> + the rationale text [B, 1 + R, d] and their validity mask [B, 1 + R]."""
    dec = model.decoder
    ids = torch.cat([torch.full((batch['r_ids'].shape[0], 1), ID['<bos>']), batch['r_ids']], 1)
    mask = torch.cat([torch.ones(ids.shape[0], 1, dtype=torch.bool),
                      torch.arange(batch['r_ids'].shape[1]).unsqueeze(0) < batch['r_len'].unsqueeze(1)], 1)
    pk, pv = dec.empty_cache(ids.shape[0])
    return dec(dec.embed(ids), pk, pv, key_mask=mask)[1], mask


def rationale_features(model, batch):
    """Mean last hidden state of the rationale text run through the LLM (the alignment target)."""
    last, mask = rationale_states(model, batch)
    m = mask.float().unsqueeze(-1)
    return (last * m).sum(1) / m.sum(1)


def window_crops(cfg, pixels, starts):
    """Pixel-space crops ([-1,1]) of the chosen windows: starts [B] window indices."""
    table = window_starts(cfg)
    p, w = cfg.patch, cfg.window
    crops = [pixels[i, :, table[s][0] * p:(table[s][0] + w) * p, table[s][1] * p:(table[s][1] + w) * p]
             for i, s in enumerate(starts.tolist())]
    return torch.stack(crops)


def lare_losses(model, batch, step_frac, weights):
    cfg = model.cfg
    r = Rollout(model, batch)
    m = window_index_matrix(cfg)
    patches = torch.tensor([window_patches(cfg, s) for s in window_starts(cfg)])
    losses = {'patch': patch_loss(model, r, batch)}
    sal_losses, latents, chosen = [], [], []
    teacher = 0.5 * max(0.0, 1 - 2 * step_frac)  # ground-truth windows early on, the model's own later
    for t in range(cfg.latent_steps):
        focus = batch['focus'][:, min(t, batch['focus'].shape[1] - 1)]
        sal = r.saliency()
        sal_losses.append(saliency_loss(sal, focus))
        own = (sal.detach() @ m.t()).argmax(1)
        gt = (focus @ m.t()).argmax(1)
        use_gt = torch.rand(own.shape[0]) < teacher
        win = torch.where(use_gt, gt, own)
        chosen.append(win)
        wf = r.local[torch.arange(win.shape[0]).unsqueeze(1), patches[win]]
        state = r.hidden[list(cfg.state_layers), :, -1].transpose(0, 1)
        lt, _ = model.latent_token(state, wf)
        latents.append(lt)
        r.feed(lt.unsqueeze(1))
    losses['saliency'] = torch.stack(sal_losses).mean()
    losses['answer'], correct = r.answer_loss(batch['answer'], direct=False)
    lat = torch.stack(latents, 1)
    pooled = lat.mean(1)
    vis_mask = batch['target'].unsqueeze(-1)
    vis_pool = (r.local.detach() * vis_mask).sum(1) / vis_mask.sum(1).clamp_min(1)
    text_pool = rationale_features(model, batch)
    losses['align'] = (info_nce(model.align_latent(pooled), model.align_text(text_pool))
                       + info_nce(model.align_latent(pooled), model.align_visual(vis_pool)))
    # DDPM reconstruction of every step's window crop, conditioned on that step's latent token.
    # One random step per sample keeps the U-Net's share of the step small.
    b = lat.shape[0]
    pick = torch.randint(0, cfg.latent_steps, (b,))
    wins = torch.stack(chosen, 1)[torch.arange(b), pick]
    crops = window_crops(cfg, batch['pixels'], wins)
    cond = lat[torch.arange(b), pick].unsqueeze(1)
    abar = diffusion_schedule(cfg)
    ts = torch.randint(0, cfg.diffusion_steps, (crops.shape[0],))
    noise = torch.randn_like(crops)
    a = abar[ts].view(-1, 1, 1, 1)
    noisy = a.sqrt() * crops + (1 - a).sqrt() * noise
    losses['recon'] = F.mse_loss(model.unet(noisy, ts.float(), cond), noise)
    # Text-prefix reconstruction: the latent tokens alone must let the LLM spell the rationale's start.
    dec = model.decoder
    prefix = batch['prefix_ids']
    inp = torch.cat([lat, dec.embed(prefix[:, :-1])], 1)
    pk, pv = dec.empty_cache(lat.shape[0])
    logits = dec(inp, pk, pv)[0][:, cfg.latent_steps - 1:]
    losses['prefix'] = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), prefix.reshape(-1),
                                       ignore_index=ID['<pad>'])
    total = sum(weights.get(k, 1.0) * v for k, v in losses.items())
    return total, losses, correct


def denoising_loss(model, crops, cond):
    """DDPM ε-prediction loss of window crops conditioned on latent tokens [B,1,D]."""
    cfg = model.cfg
    abar = diffusion_schedule(cfg)
    ts = torch.randint(0, cfg.diffusion_steps, (crops.shape[0],))
    noise = torch.randn_like(crops)
    a = abar[ts].view(-1, 1, 1, 1)
    noisy = a.sqrt() * crops + (1 - a).sqrt() * noise
    return F.mse_loss(model.unet(noisy, ts.float(), cond), noise)


def unet_losses(model, batch, weights):
    """Reconstructor-only phase (paper stage II trains the reconstructor with the LLM frozen): the latent
    rollout runs without gradients and the U-Net learns every step's window from that step's latent."""
    cfg = model.cfg
    m = window_index_matrix(cfg)
    patches = torch.tensor([window_patches(cfg, s) for s in window_starts(cfg)])
    with torch.no_grad():
        r = Rollout(model, batch)
        latents, chosen = [], []
        for _ in range(cfg.latent_steps):
            win = (r.saliency() @ m.t()).argmax(1)
            wf = r.local[torch.arange(win.shape[0]).unsqueeze(1), patches[win]]
            lt, _ = model.latent_token(r.hidden[list(cfg.state_layers), :, -1].transpose(0, 1), wf)
            latents.append(lt)
            chosen.append(win)
            r.feed(lt.unsqueeze(1))
        _, correct = r.answer_loss(batch['answer'], direct=False)
    crops = torch.cat([window_crops(cfg, batch['pixels'], w) for w in chosen])
    cond = torch.cat(latents).unsqueeze(1)
    losses = {'recon': denoising_loss(model, crops, cond)}
    return losses['recon'], losses, correct


def lvr_targets(cfg, vis, focus_union, steps):
    """The visual tokens each LVR step reconstructs: `steps` patches evenly spaced over the box's patches."""
    out = []
    for i in range(vis.shape[0]):
        idx = torch.nonzero(focus_union[i]).flatten()
        pick = idx[torch.linspace(0, len(idx) - 1, steps).round().long()]
        out.append(vis[i, pick])
    return torch.stack(out)


def lvr_losses(model, batch, weights):
    cfg = model.cfg
    r = Rollout(model, batch)
    losses = {'patch': patch_loss(model, r, batch)}
    union = (batch['focus'].sum(1) > 0).float()
    targets = lvr_targets(cfg, r.vis.detach(), union, cfg.latent_steps)
    mse = []
    h = r.last[:, -1]
    for t in range(cfg.latent_steps):
        mse.append(F.mse_loss(h, targets[:, t]))
        r.feed(h.unsqueeze(1))
        h = r.last[:, -1]
    losses['lvr_mse'] = torch.stack(mse).mean()
    _, end = special_tokens('lvr')
    losses['lvr_end'] = F.cross_entropy(r.logits[:, -1], torch.full((h.shape[0],), end))
    losses['answer'], correct = r.answer_loss(batch['answer'], direct=False)
    total = sum(weights.get(k, 1.0) * v for k, v in losses.items())
    return total, losses, correct


def direct_losses(model, batch, weights):
    r = Rollout(model, batch)
    losses = {'patch': patch_loss(model, r, batch), 'saliency': saliency_loss(r.saliency(), batch['target'])}
    losses['answer'], correct = r.answer_loss(batch['answer'], direct=True)
    total = sum(weights.get(k, 1.0) * v for k, v in losses.items())
    return total, losses, correct


def compute_losses(model, batch, step_frac, weights, unet_only=False):
    if unet_only:
        return unet_losses(model, batch, weights)
    if model.cfg.method == 'lare':
        return lare_losses(model, batch, step_frac, weights)
    if model.cfg.method == 'lvr':
        return lvr_losses(model, batch, weights)
    return direct_losses(model, batch, weights)


def atomic_save(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def lr_at(progress, base, warmup):
    """Linear warmup then cosine decay over training progress in [0, 1]."""
    if progress < warmup:
        return base * max(progress, 1e-3) / warmup
    return base * 0.5 * (1 + math.cos((progress - warmup) / (1 - warmup) * math.pi))


def build_config(variant, tiny, overrides, split='shapes'):
    d = dict(VARIANTS[variant])
    if tiny:
        d.update(TINY)
    if split == 'fine':
        # docs/fidelity-task.md: the LLM sees the image pooled by FINE_POOL, the window the full resolution
        d.update(split='fine', coarse_pool=data.FINE_POOL, vocab=len(data.VOCAB))
    d.update(overrides)
    return Config(**d)


def load_init(model, path):
    if not os.path.isfile(path):
        raise SystemExit(f'--init checkpoint {path} does not exist (train stage1 first)')
    ck = torch.load(path, map_location='cpu')
    if 'model' not in ck:
        raise SystemExit(f'--init {path} is not a training checkpoint (no "model" entry)')
    split = ck.get('cfg', {}).get('split', 'shapes')
    if split != model.cfg.split:
        raise SystemExit(f'--init {path} was trained on the {split} split, not {model.cfg.split}')
    own = model.state_dict()
    shared = {k: v for k, v in ck['model'].items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(shared, strict=False)
    return ck


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('variant', help='one of ' + ', '.join(VARIANTS))
    ap.add_argument('--run-dir', required=True)
    ap.add_argument('--init', help='stage1 checkpoint (required for every variant but stage1)')
    ap.add_argument('--steps', type=int, default=2000)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=1234)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--unet-only', action='store_true',
                    help='LaRe: train only the U-Net on the frozen model\'s latents (init from a LaRe run)')
    ap.add_argument('--init-lr-scale', type=float, default=0.5,
                    help='learning-rate factor for the parts initialised from --init')
    ap.add_argument('--curriculum', type=float, default=0.0, help='fraction of steps on one-object questions')
    ap.add_argument('--tiny', action='store_true', help='the smoke-test model size')
    ap.add_argument('--split', default='shapes', choices=sorted(data.SPLITS),
                    help='training data: shapes (the bundled task) or fine (docs/fidelity-task.md)')
    ap.add_argument('--minutes', type=float, default=0.0,
                    help='wall-time budget: the schedule runs to whichever of --steps/--minutes comes first')
    ap.add_argument('--log-every', type=int, default=25)
    ap.add_argument('--save-every', type=float, default=120.0, help='seconds between checkpoints')
    args = ap.parse_args(argv)
    if args.variant not in VARIANTS:
        ap.error(f'unknown variant {args.variant!r}; expected one of {", ".join(VARIANTS)}')
    if args.variant != 'stage1' and not args.init:
        ap.error(f'variant {args.variant} needs --init <stage1 checkpoint>')
    if args.unet_only and args.variant != 'lare':
        ap.error('--unet-only needs the lare variant')
    return args


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        os.makedirs(args.run_dir, exist_ok=True)
    except OSError as e:
        raise SystemExit(f'cannot create run directory {args.run_dir}: {e}')
    if not os.access(args.run_dir, os.W_OK):
        raise SystemExit(f'run directory {args.run_dir} is not writable')
    torch.manual_seed(args.seed)
    cfg = build_config(args.variant, args.tiny, {}, args.split)
    model = LatentModel(cfg)
    ck_path = os.path.join(args.run_dir, 'checkpoint.pt')
    start, elapsed = 0, 0.0
    # Fine-tuning: the stage-I parts move at a fraction of the rate of the modules trained from scratch here.
    fresh = [p for n, p in model.named_parameters() if args.variant == 'stage1' or n.startswith(NEW_MODULES)]
    tuned = [p for n, p in model.named_parameters() if args.variant != 'stage1' and not n.startswith(NEW_MODULES)]
    groups = [{'params': fresh, 'scale': 1.0}] + ([{'params': tuned, 'scale': args.init_lr_scale}] if tuned else [])
    if args.unet_only:
        groups = [{'params': list(model.unet.parameters()), 'scale': 1.0}]
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.98), weight_decay=0.05)
    history = []
    if os.path.isfile(ck_path):
        ck = torch.load(ck_path, map_location='cpu')
        if ck['variant'] != args.variant:
            raise SystemExit(f'{ck_path} belongs to variant {ck["variant"]}, not {args.variant}')
        if ck['cfg'].get('split', 'shapes') != cfg.split:
            raise SystemExit(f'{ck_path} was trained on the {ck["cfg"].get("split", "shapes")} split, not {cfg.split}')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        start, elapsed, history = ck['step'], ck['elapsed'], ck.get('history', [])
        torch.set_rng_state(ck['rng'])
        print(f'resumed {args.variant} at step {start}', flush=True)
    elif args.init:
        load_init(model, args.init)
    weights = {'patch': 1.0 if args.variant == 'stage1' else 0.5, 'saliency': 1.0, 'align': 0.3,
               'recon': 1.0, 'prefix': 0.3, 'lvr_mse': 1.0, 'lvr_end': 0.5}
    warmup = max(1, args.steps // 30)
    last_save = time.time()
    t0 = time.time() - elapsed
    window = []
    model.train()
    stream = batches.loader(args.seed, start, args.steps, args.batch, cfg.prefix_length, args.curriculum,
                            workers=args.workers, split=cfg.split)
    step = start
    window_t0 = time.time()
    for batch in stream:
        progress = step / args.steps
        if args.minutes > 0:
            progress = max(progress, (time.time() - t0) / (60 * args.minutes))
        if progress >= 1:
            break
        for g in opt.param_groups:
            g['lr'] = g['scale'] * lr_at(progress, args.lr, warmup / args.steps)
        total, losses, correct = compute_losses(model, batch, progress, weights, args.unet_only)
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        window.append((total.item(), {k: v.item() for k, v in losses.items()}, correct.float().mean().item()))
        if step % args.log_every == 0 or step == args.steps:
            n = len(window)
            rec = {'step': step, 'elapsed': round(time.time() - t0, 1), 'loss': round(sum(w[0] for w in window) / n, 4),
                   'acc': round(sum(w[2] for w in window) / n, 4),
                   'samples_per_s': round(n * args.batch / max(1e-6, time.time() - window_t0), 2)}
            for k in window[0][1]:
                rec[k] = round(sum(w[1][k] for w in window) / n, 4)
            history.append(rec)
            print(json.dumps(rec), flush=True)
            window = []
            window_t0 = time.time()
        if time.time() - last_save > args.save_every:
            atomic_save({'variant': args.variant, 'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step,
                         'elapsed': time.time() - t0, 'history': history, 'rng': torch.get_rng_state(),
                         'cfg': cfg.to_dict()}, ck_path)
            last_save = time.time()
    wall = time.time() - t0
    atomic_save({'variant': args.variant, 'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step,
                 'elapsed': wall, 'history': history, 'rng': torch.get_rng_state(), 'cfg': cfg.to_dict()}, ck_path)
    command = 'python3 training/train.py ' + ' '.join(argv if argv is not None else sys.argv[1:])
    atomic_save({'variant': args.variant, 'model': model.state_dict(), 'cfg': cfg.to_dict(), 'step': step,
                 'wall_time_s': wall, 'seed': args.seed, 'command': command, 'history': history,
                 'init': args.init}, os.path.join(args.run_dir, 'final.pt'))
    print(json.dumps({'done': args.variant, 'steps': step, 'wall_time_s': round(wall, 1)}), flush=True)


if __name__ == '__main__':
    main()
