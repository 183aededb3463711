"""The LaRe reference implementation at small scale (PyTorch), plus the LVR and direct variants.

Pieces map one-to-one onto the bundle graphs (docs/bundle-format.md): VisionEncoder -> vision,
Decoder.embed -> embed, Decoder.forward -> decoder (KV cache, per-layer hidden states, newest-position
attention), Extractor -> extractor, UNet -> unet. Attention is written out by hand so the exported graphs
return the same probabilities the training loop supervises.
"""
import math
from dataclasses import dataclass, field, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

import data

NEG = -1e9  # finite mask value: a fully masked (left-pad) row stays finite instead of NaN


@dataclass
class Config:
    method: str = 'lare'              # 'lare' | 'lvr' | 'direct'
    extractor: bool = True            # LaRe only: False = latent is the mean of the window features
    image_size: int = data.IMAGE_SIZE
    patch: int = data.PATCH
    # 'shapes' or 'fine' (docs/fidelity-task.md); the fine split trains the mark head too
    split: str = 'shapes'
    # >1: the LLM's visual tokens are computed from the image average-pooled by this factor, while the
    # window's local features come from the full-resolution stem (docs/fidelity-task.md); 0 = one shared stem
    coarse_pool: int = 0
    dim: int = 128
    layers: int = 3
    heads: int = 4
    vocab: int = data.SHAPES_VOCAB_SIZE
    max_positions: int = 128
    vision_channels: tuple = (32, 64, 96)
    window: int = 2
    stride: int = 1
    saliency_layers: tuple = (1, 2)
    state_layers: tuple = (1, 2, 3)
    extractor_layers: int = 2
    extractor_heads: int = 4
    latent_steps: int = 3
    max_latent_steps: int = 6
    unet_channels: tuple = (32, 64, 64)
    diffusion_steps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 0.02
    sampler_steps: int = 20
    clip_sample: bool = True
    prefix_length: int = 6
    align_dim: int = 64
    relevance_layer: int = 2
    extra: dict = field(default_factory=dict)

    @property
    def grid(self):
        return self.image_size // self.patch

    @property
    def visual_tokens(self):
        return self.grid * self.grid

    @property
    def head_dim(self):
        return self.dim // self.heads

    @property
    def recon_size(self):
        return self.window * self.patch

    def to_dict(self):
        return asdict(self)

    @staticmethod
    def from_dict(d):
        d = dict(d)
        for k in ('vision_channels', 'saliency_layers', 'state_layers', 'unet_channels'):
            d[k] = tuple(d[k])
        return Config(**d)


class VisionEncoder(nn.Module):
    """Convolutional stem to a patch grid; visual_tokens feed the LLM, local_features feed the window.

    With cfg.coarse_pool > 1 the visual tokens come from a second, coarse stem that sees only the image
    average-pooled by that factor (what a merged, compressed visual token can keep), on the same grid, so the
    bundle's vision graph keeps its two [B,N,D] outputs; the local features keep the full-resolution stem."""

    def __init__(self, cfg):
        super().__init__()
        c1, c2, c3 = cfg.vision_channels
        d = cfg.dim
        # Stride 2 from the first layer: full-resolution convolutions cost most and the smallest objects
        # still span 8+ px.
        layers = [nn.Conv2d(3, c1, 4, stride=2, padding=1), nn.GELU(),
                  nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.GELU(),
                  nn.Conv2d(c2, c3, 3, stride=2, padding=1), nn.GELU(),
                  nn.Conv2d(c3, d, 3, padding=1), nn.GELU(), nn.Conv2d(d, d, 1)]
        self.stem = nn.Sequential(*layers)
        assert cfg.patch == 8, 'three stride-2 convolutions make 8 px patches'
        self.pos = nn.Parameter(torch.zeros(cfg.visual_tokens, d))
        self.norm = nn.LayerNorm(d)
        self.pool = cfg.coarse_pool if cfg.coarse_pool > 1 else 0
        if self.pool:
            # pooled image (size/pool px) -> the same grid: stride 8/pool in total
            stride = cfg.patch // self.pool
            assert stride in (1, 2), 'the coarse stem supports pooling by 4 or 8'
            coarse = [nn.Conv2d(3, c1, 3, padding=1), nn.GELU(), nn.Conv2d(c1, c2, 3, stride=stride, padding=1),
                      nn.GELU(), nn.Conv2d(c2, d, 3, padding=1), nn.GELU(), nn.Conv2d(d, d, 1)]
            self.coarse_stem = nn.Sequential(*coarse)
            self.coarse_pos = nn.Parameter(torch.zeros(cfg.visual_tokens, d))
            self.coarse_norm = nn.LayerNorm(d)
        self.projector = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.local = nn.Linear(d, d)
        self.color_head = nn.Linear(d, data.NUM_COLOR_CLASSES)
        self.shape_head = nn.Linear(d, data.NUM_SHAPE_CLASSES)
        if cfg.split == 'fine':
            self.mark_head = nn.Linear(d, data.NUM_MARK_CLASSES)

    def features(self, pixels):
        f = self.stem(pixels).flatten(2).transpose(1, 2)
        return self.norm(f + self.pos)

    def coarse_features(self, pixels):
        c = self.coarse_stem(F.avg_pool2d(pixels, self.pool)).flatten(2).transpose(1, 2)
        return self.coarse_norm(c + self.coarse_pos)

    def forward(self, pixels):
        """visual_tokens, local_features and the features the colour/shape heads read (the LLM's side)."""
        f = self.features(pixels)
        if not self.pool:
            return self.projector(f), self.local(f), f
        c = self.coarse_features(pixels)
        return self.projector(c), self.local(f), c


class Attention(nn.Module):
    """Multi-head attention returning the output and the head-averaged probabilities."""

    def __init__(self, dim, heads, kv_dim=None):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(kv_dim or dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, context):
        q = self.split(self.q(x))
        k, v = self.kv(context).chunk(2, dim=-1)
        k, v = self.split(k), self.split(v)
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim), dim=-1)
        o = (probs @ v).transpose(1, 2).reshape(x.shape)
        return self.out(o), probs.mean(1)


class DecoderBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.dim
        self.heads, self.head_dim = cfg.heads, cfg.head_dim
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, past_k, past_v, allowed):
        b, s, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (t.view(b, s, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        scores = torch.where(allowed, scores, torch.full_like(scores, NEG))
        probs = torch.softmax(scores, dim=-1)
        o = (probs @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(o)
        x = x + self.mlp(self.ln2(x))
        newest = probs[:, :, -1, :]
        return x, k, v, newest.mean(1), newest


class Decoder(nn.Module):
    """Decoder-only LM with a KV cache; returns every layer's hidden state and newest-position attention."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab, cfg.dim)
        self.pos = nn.Embedding(cfg.max_positions, cfg.dim)
        self.blocks = nn.ModuleList(DecoderBlock(cfg) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, cfg.vocab)

    def embed(self, ids):
        return self.tok(ids)

    def empty_cache(self, batch, device=None):
        c = self.cfg
        z = torch.zeros(c.layers, batch, c.heads, 0, c.head_dim, device=device)
        return z, z.clone()

    def forward(self, embeds, past_k, past_v, positions=None, key_mask=None, heads=False):
        """embeds [B,S,D]; past_k/v [L,B,H,P,Dh]; positions [B,S] (default P..P+S-1);
        key_mask [B,P+S] bool, True = real token (default all). Returns logits, last_hidden,
        hidden_states [L+1,B,S,D], attention [L,B,P+S], present_k, present_v, and with `heads`
        the newest position's attention per head [L,B,H,P+S]."""
        b, s, _ = embeds.shape
        p = past_k.shape[3]
        q_idx = torch.arange(s, device=embeds.device) + p
        k_idx = torch.arange(s, device=embeds.device) + p
        k_idx = torch.cat([torch.arange(p, device=embeds.device), k_idx])
        if positions is None:
            positions = q_idx.unsqueeze(0).expand(b, s)
        allowed = (k_idx.unsqueeze(0) <= q_idx.unsqueeze(1)).view(1, 1, s, p + s)
        if key_mask is not None:
            allowed = allowed & key_mask.view(b, 1, 1, p + s)
        x = embeds + self.pos(positions)
        hidden, attn, per_head, pk, pv = [x], [], [], [], []
        for i, blk in enumerate(self.blocks):
            x, k, v, a, a_heads = blk(x, past_k[i], past_v[i], allowed)
            hidden.append(x)
            attn.append(a)
            per_head.append(a_heads)
            pk.append(k)
            pv.append(v)
        last = self.norm(x)
        out = (self.head(last), last, torch.stack(hidden), torch.stack(attn), torch.stack(pk), torch.stack(pv))
        return out + (torch.stack(per_head),) if heads else out

    def lens(self, hidden):
        """The logit lens: any layer's hidden states [B,K,D] through the final norm and the unembedding."""
        return self.head(self.norm(hidden))


class ExtractorLayer(nn.Module):
    """Linear preprocessing, self-attention over the latent state, cross-attention into the window."""

    def __init__(self, dim, heads):
        super().__init__()
        self.pre = nn.Linear(dim, dim)
        self.ln_self = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, heads)
        self.ln_cross = nn.LayerNorm(dim)
        self.ln_window = nn.LayerNorm(dim)
        self.cross_attn = Attention(dim, heads)

    def forward(self, h, window):
        h = h + self.pre(h)
        x = self.ln_self(h)
        h = h + self.self_attn(x, x)[0]
        o, probs = self.cross_attn(self.ln_cross(h), self.ln_window(window))
        return h + o, probs.mean(1)


class Extractor(nn.Module):
    """Latent state [B,K,D] + window features [B,W*W,D] -> latent token [B,D], cross-attention [B,Lx,W*W]."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg.dim
        self.layers = nn.ModuleList(ExtractorLayer(d, cfg.extractor_heads) for _ in range(cfg.extractor_layers))
        self.ln_glu = nn.LayerNorm(d)
        self.glu = nn.Linear(d, 2 * d)
        self.ln_ffn = nn.LayerNorm(d)
        self.ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        # The latent token is fed back as an input embedding: keep it at the embeddings' scale.
        self.out_norm = nn.LayerNorm(d)

    def forward(self, state, window):
        h, maps = state, []
        for layer in self.layers:
            h, m = layer(h, window)
            maps.append(m)
        h = h.mean(1)
        h = h + F.glu(self.glu(self.ln_glu(h)), dim=-1)
        h = h + self.ffn(self.ln_ffn(h))
        return self.out_norm(h), torch.stack(maps, 1)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    a = t.float().unsqueeze(1) * freqs.unsqueeze(0)
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb):
        super().__init__()
        self.n1 = nn.GroupNorm(8, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout)
        self.n2 = nn.GroupNorm(8, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb):
        h = self.c1(F.silu(self.n1(x))) + self.t(emb)[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class CrossAttnBlock(nn.Module):
    """Feature-map positions attend to the condition tokens (the latent tokens)."""

    def __init__(self, ch, cond_dim):
        super().__init__()
        self.norm = nn.GroupNorm(8, ch)
        self.attn = Attention(ch, 4, kv_dim=cond_dim)

    def forward(self, x, cond):
        b, c, h, w = x.shape
        q = self.norm(x).flatten(2).transpose(1, 2)
        o = self.attn(q, cond)[0]
        return x + o.transpose(1, 2).reshape(b, c, h, w)


class UNet(nn.Module):
    """Small conditional U-Net: (sample [B,C,h,w], timestep [B], condition [B,1,D]) -> noise_pred."""

    def __init__(self, cfg):
        super().__init__()
        c1, c2, c3 = cfg.unet_channels
        temb = 4 * c1
        self.temb_dim = c1
        self.time = nn.Sequential(nn.Linear(c1, temb), nn.SiLU(), nn.Linear(temb, temb))
        self.cond = nn.Linear(cfg.dim, temb)
        self.inp = nn.Conv2d(3, c1, 3, padding=1)
        self.d1 = ResBlock(c1, c1, temb)
        self.down1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.d2 = ResBlock(c2, c2, temb)
        self.a2 = CrossAttnBlock(c2, cfg.dim)
        self.down2 = nn.Conv2d(c2, c3, 3, stride=2, padding=1)
        self.m1 = ResBlock(c3, c3, temb)
        self.am = CrossAttnBlock(c3, cfg.dim)
        self.m2 = ResBlock(c3, c3, temb)
        self.up2 = nn.Conv2d(c3, c2, 3, padding=1)
        self.u2 = ResBlock(2 * c2, c2, temb)
        self.au = CrossAttnBlock(c2, cfg.dim)
        self.up1 = nn.Conv2d(c2, c1, 3, padding=1)
        self.u1 = ResBlock(2 * c1, c1, temb)
        self.out = nn.Sequential(nn.GroupNorm(8, c1), nn.SiLU(), nn.Conv2d(c1, 3, 3, padding=1))

    def forward(self, sample, timestep, condition):
        emb = self.time(timestep_embedding(timestep, self.temb_dim)) + self.cond(condition[:, 0])
        h1 = self.d1(self.inp(sample), emb)
        h2 = self.a2(self.d2(self.down1(h1), emb), condition)
        m = self.m2(self.am(self.m1(self.down2(h2), emb), condition), emb)
        u = self.up2(F.interpolate(m, scale_factor=2.0, mode='nearest'))
        u = self.au(self.u2(torch.cat([u, h2], 1), emb), condition)
        u = self.up1(F.interpolate(u, scale_factor=2.0, mode='nearest'))
        u = self.u1(torch.cat([u, h1], 1), emb)
        return self.out(u)


class LatentModel(nn.Module):
    """All pieces of one bundle plus the training-only heads (alignment projections)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionEncoder(cfg)
        self.decoder = Decoder(cfg)
        self.extractor = Extractor(cfg) if cfg.method == 'lare' and cfg.extractor else None
        self.unet = UNet(cfg) if cfg.method == 'lare' else None
        a = cfg.align_dim
        self.align_latent = nn.Linear(cfg.dim, a)
        self.align_text = nn.Linear(cfg.dim, a)
        self.align_visual = nn.Linear(cfg.dim, a)
        self.relevance_head = nn.Linear(cfg.dim, 1)

    def latent_token(self, state, window):
        """The next latent token and the Extractor's cross-attention (None without an Extractor)."""
        if self.extractor is None:
            return window.mean(1), None
        return self.extractor(state, window)


def window_starts(cfg):
    """Top-left (row, col) of every window in row-major order."""
    last = cfg.grid - cfg.window
    return [(r, c) for r in range(0, last + 1, cfg.stride) for c in range(0, last + 1, cfg.stride)]


def window_index_matrix(cfg):
    """[nWin, N] 0/1 matrix: window scores = saliency @ M.T (sum-pooling)."""
    starts = window_starts(cfg)
    m = torch.zeros(len(starts), cfg.visual_tokens)
    for w, (r, c) in enumerate(starts):
        for dr in range(cfg.window):
            for dc in range(cfg.window):
                m[w, (r + dr) * cfg.grid + c + dc] = 1
    return m


def window_patches(cfg, start):
    r, c = start
    return [(r + dr) * cfg.grid + c + dc for dr in range(cfg.window) for dc in range(cfg.window)]


def diffusion_schedule(cfg):
    betas = torch.linspace(cfg.beta_start, cfg.beta_end, cfg.diffusion_steps, dtype=torch.float64)
    return torch.cumprod(1 - betas, 0).float()


def ddim_timesteps(cfg):
    """Evenly spaced DDIM timesteps, descending: i * (steps // samplerSteps) for i = S-1..0."""
    jump = cfg.diffusion_steps // cfg.sampler_steps
    return [i * jump for i in range(cfg.sampler_steps - 1, -1, -1)]


@torch.no_grad()
def ddim_sample(unet, cfg, noise, condition):
    """DDIM, eta 0, over ddim_timesteps; with cfg.clip_sample the x0 prediction is clamped to [-1,1]
    (the predicted noise is used as is, as diffusers' DDIMScheduler does)."""
    abar = diffusion_schedule(cfg)
    x = noise
    ts = ddim_timesteps(cfg)
    for i, t in enumerate(ts):
        a_t = abar[t]
        a_prev = abar[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
        eps = unet(x, torch.full((x.shape[0],), float(t)), condition)
        x0 = (x - torch.sqrt(1 - a_t) * eps) / torch.sqrt(a_t)
        if cfg.clip_sample:
            x0 = x0.clamp(-1, 1)
        x = torch.sqrt(a_prev) * x0 + torch.sqrt(1 - a_prev) * eps
    return x


TRAINING_ONLY = ('align_', 'relevance_head', 'vision.color_head', 'vision.shape_head', 'vision.mark_head')


def count_parameters(module):
    """Parameters that ship in the bundle (training-only heads excluded)."""
    return sum(p.numel() for n, p in module.named_parameters() if not n.startswith(TRAINING_ONLY))
