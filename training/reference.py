"""The batch-1 inference loops exactly as docs/bundle-format.md defines them (LaRe, LVR, direct).

golden.py writes these traces for the TypeScript runtime; evaluate.py measures the models with them.
"""
import torch

import data
from model import ddim_sample, window_index_matrix, window_patches, window_starts

ID = data.TOKEN_ID


def distances(a, b):
    """(cosine distance, L1, L2) between two latent tokens."""
    cos = torch.nn.functional.cosine_similarity(a, b, dim=0)
    return [float(1 - cos), float((a - b).abs().sum()), float(torch.linalg.norm(a - b))]


def special_pair(method):
    if method == 'lvr':
        return ID['<|lvr_start|>'], ID['<|lvr_end|>']
    return ID['<|latent_start|>'], ID['<|latent_end|>']


def prompt_embeds(model, pixels, question_ids):
    """The prefill: template [bos, {question}, {image}(, latentStart)] as embeddings; also the index of
    the first visual position."""
    dec = model.decoder
    vis, local, _ = model.vision(pixels)
    head = [ID['<bos>']] + list(question_ids)
    tail = [] if model.cfg.method == 'direct' else [special_pair(model.cfg.method)[0]]
    parts = [dec.embed(torch.tensor([head])), vis]
    if tail:
        parts.append(dec.embed(torch.tensor([tail])))
    return torch.cat(parts, 1), vis, local, len(head)


@torch.no_grad()
def run_trace(model, pixels, question_ids, settings, noise_seed=0, reconstruct=True):
    """One full trace. settings: latentSteps, stop ('fixed'|'cosine'|'l1'|'l2'), threshold,
    maxLatentSteps, maxAnswerTokens; LVR also lvrStop and lvrEndDistance."""
    cfg = model.cfg
    dec = model.decoder
    n = cfg.visual_tokens
    emb, vis, local, v0 = prompt_embeds(model, pixels, question_ids)
    pk, pv = dec.empty_cache(1)
    logits, last, hidden, attn, pk, pv = dec(emb, pk, pv)
    prompt_length = emb.shape[1]
    out = {'pixels': pixels, 'visual_tokens': vis, 'local_features': local, 'prefill_attention': attn[:, 0]}
    sal_rows, score_rows, cross_rows, latents, windows, dist_rows = [], [], [], [], [], []
    method = cfg.method
    stop = settings['stop']
    cap = settings['latentSteps'] if stop == 'fixed' else settings['maxLatentSteps']
    metric = {'cosine': 0, 'l1': 1, 'l2': 2}.get(stop)
    if method == 'lare':
        m = window_index_matrix(cfg)
        starts = window_starts(cfg)
        for t in range(cap):
            sal = attn[list(cfg.saliency_layers), 0, v0:v0 + n].mean(0)
            scores = m @ sal
            w = int(torch.argmax(scores))  # first maximum in row-major order
            wf = local[:, window_patches(cfg, starts[w])]
            state = hidden[list(cfg.state_layers), :, -1].transpose(0, 1)
            lt, cross = model.latent_token(state, wf)
            sal_rows.append(sal)
            score_rows.append(scores)
            windows.append(list(starts[w]))
            if cross is not None:
                cross_rows.append(cross[0])
            latents.append(lt[0])
            logits, last, hidden, attn, pk, pv = dec(lt.unsqueeze(1), pk, pv)
            dist_rows.append(None if t == 0 else distances(latents[-1], latents[-2]))
            if metric is not None and t > 0 and dist_rows[-1][metric] < settings['threshold']:
                break
    elif method == 'lvr':
        end_id = special_pair('lvr')[1]
        end_emb = dec.embed(torch.tensor([[end_id]]))[0, 0]
        lvr_stop = settings.get('lvrStop', 'fixed')
        for t in range(settings['latentSteps'] if lvr_stop == 'fixed' else settings['maxLatentSteps']):
            h = last[0, -1]
            latents.append(h)
            logits, last, hidden, attn, pk, pv = dec(h.view(1, 1, -1), pk, pv)
            dist_rows.append(None if t == 0 else distances(latents[-1], latents[-2]))
            if lvr_stop == 'end-token' and int(logits[0, -1].argmax()) == end_id:
                break
            if lvr_stop == 'end-distance' and float(torch.linalg.norm(last[0, -1] - end_emb)) < settings['lvrEndDistance']:
                break
    stopped_at = len(latents)
    if method != 'direct':
        logits, last, hidden, attn, pk, pv = dec(dec.embed(torch.tensor([[special_pair(method)[1]]])), pk, pv)
    out['first_answer_attention'] = attn[:, 0, v0:v0 + n]
    answer = []
    for _ in range(settings['maxAnswerTokens']):
        tok = int(logits[0, -1].argmax())
        if tok == ID['<eos>']:
            break
        answer.append(tok)
        logits, last, hidden, attn, pk, pv = dec(dec.embed(torch.tensor([[tok]])), pk, pv)
    if latents:
        out['latent_tokens'] = torch.stack(latents)
        out['distances'] = dist_rows
    if method == 'lare':
        out['saliency'] = torch.stack(sal_rows)
        out['window_scores'] = torch.stack(score_rows)
        if cross_rows:
            out['cross_attention'] = torch.stack(cross_rows)
        if model.unet is not None and reconstruct:
            g = torch.Generator().manual_seed(noise_seed)
            noise = torch.randn(len(latents), 3, cfg.recon_size, cfg.recon_size, generator=g)
            out['reconstruction_noise'] = noise
            out['reconstruction'] = ddim_sample(model.unet, cfg, noise, out['latent_tokens'].unsqueeze(1))
    return {'tensors': out, 'windows': windows, 'answerIds': answer, 'answerText': data.detokenize(answer),
            'stoppedAt': stopped_at, 'promptLength': prompt_length, 'visualStart': v0}


def pixels_from_uint8(image):
    """uint8 [H,W,3] at the model size -> normalised [1,3,H,W] (mean = std = 0.5)."""
    x = torch.tensor(image, dtype=torch.float32).permute(2, 0, 1).unsqueeze(0) / 255.0
    return (x - 0.5) / 0.5
