"""Qwen2.5-VL's vision tower (window-attention ViT with 2-D rotary positions and a 2×2 patch merger), and the
index computations around it that the runtime does outside the graph (docs/bundle-format.md, v2):
`vision_indices` (HF's `rot_pos_emb` positions, `get_window_index` and the window of every patch) and
`rope_index` (HF's `get_rope_index` for one image, t = 1).

The graph form replaces HF's per-window loop with one attention under a same-window mask and HF's argsort
with the inverse permutation, so the number of patches can vary with the image.
"""
import torch
import torch.nn as nn

from hf.checkpoint import CheckpointError
from hf.layers import GatedMLP, Linear, RMSNorm, activation, head_scale, inverse_frequencies, rotate_half, softmax_attention

VISION_DEFAULTS = {"depth": 32, "hidden_size": 3584, "hidden_act": "silu", "intermediate_size": 3420, "num_heads": 16,
                   "in_channels": 3, "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2,
                   "window_size": 112, "fullatt_block_indexes": [7, 15, 23, 31], "out_hidden_size": 3584}


class VisionConfig:
    def __init__(self, vc):
        get = lambda k: vc.get(k, VISION_DEFAULTS[k])  # noqa: E731
        self.depth = int(get("depth"))
        self.dim = int(get("hidden_size"))
        self.act = get("hidden_act")
        self.inter = int(get("intermediate_size"))
        self.heads = int(get("num_heads"))
        self.channels = int(get("in_channels"))
        self.patch = int(get("patch_size"))
        self.merge = int(get("spatial_merge_size"))
        self.temporal = int(get("temporal_patch_size"))
        self.window = int(get("window_size"))
        self.full = [int(i) for i in get("fullatt_block_indexes")]
        self.out = int(get("out_hidden_size"))
        self.head_dim = self.dim // self.heads

    @property
    def patch_values(self):
        return self.channels * self.temporal * self.patch * self.patch


class VisionBlock(nn.Module):
    def __init__(self, ck, name, c):
        super().__init__()
        self.c = c
        self.norm1 = RMSNorm(ck, f"{name}.norm1", c.dim, 1e-6)
        self.norm2 = RMSNorm(ck, f"{name}.norm2", c.dim, 1e-6)
        self.qkv = Linear(ck, f"{name}.attn.qkv", 3 * c.dim, c.dim, True)
        self.proj = Linear(ck, f"{name}.attn.proj", c.dim, c.dim, True)
        self.mlp = GatedMLP(ck, f"{name}.mlp", c.dim, c.inter, c.act, True)

    def forward(self, x, cos, sin, mask):
        c = self.c
        n = x.shape[0]
        q, k, v = self.qkv(self.norm1(x)).reshape(n, 3, c.heads, c.head_dim).permute(1, 0, 2, 3).unbind(0)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        o, _ = softmax_attention(q.transpose(0, 1)[None], k.transpose(0, 1)[None], v.transpose(0, 1)[None],
                                 head_scale(c.head_dim), mask)
        x = x + self.proj(o[0].transpose(0, 1).reshape(n, c.dim))
        return x + self.mlp(self.norm2(x))


class QwenVision(nn.Module):
    """(pixel_values [Np,C·T·P·P], rotary_pos_ids [Np,2], window_index [Np/4], window_seq_ids [Np]) ->
    visual tokens [1,Np/4,D] in the row-major merged order."""

    def __init__(self, ck, cfg, text_hidden):
        super().__init__()
        c = self.c = VisionConfig(cfg.get("vision_config") or {})
        if c.out != text_hidden:
            raise CheckpointError(f"{ck.folder}: vision out_hidden_size {c.out} != text hidden_size {text_hidden}")
        w = ck.take("vision.patch_embed.proj.weight", (c.dim, c.channels, c.temporal, c.patch, c.patch))
        # Conv3d with kernel = stride over one patch is a matmul with the flattened kernel.
        self.patch_embed = nn.Parameter(w.reshape(c.dim, -1), requires_grad=False)
        self.blocks = nn.ModuleList(VisionBlock(ck, f"vision.blocks.{i}", c) for i in range(c.depth))
        unit = c.dim * c.merge * c.merge
        self.ln_q = RMSNorm(ck, "vision.merger.ln_q", c.dim, 1e-6)
        self.mlp0 = Linear(ck, "vision.merger.mlp.0", unit, unit, True)
        self.mlp2 = Linear(ck, "vision.merger.mlp.2", c.out, unit, True)
        self.gelu = activation("gelu")
        self.register_buffer("inv_freq", inverse_frequencies(c.head_dim // 2, 10000.0), persistent=False)

    def forward(self, pixel_values, rotary_pos_ids, window_index, window_seq_ids):
        c = self.c
        unit = c.merge * c.merge
        n = pixel_values.shape[0]
        x = pixel_values.to(self.patch_embed.dtype) @ self.patch_embed.t()
        rot = (rotary_pos_ids.float()[:, :, None] * self.inv_freq[None, None, :]).reshape(n, -1)
        x = x.reshape(n // unit, unit, c.dim)[window_index].reshape(n, c.dim)
        rot = rot.reshape(n // unit, unit, -1)[window_index].reshape(n, -1)
        emb = torch.cat((rot, rot), dim=-1)
        cos, sin = emb.cos()[:, None, :].to(x.dtype), emb.sin()[:, None, :].to(x.dtype)
        windowed = window_seq_ids[:, None] == window_seq_ids[None, :]
        for i, blk in enumerate(self.blocks):
            x = blk(x, cos, sin, None if i in c.full else windowed)
        merged = self.mlp2(self.gelu(self.mlp0(self.ln_q(x).reshape(n // unit, -1))))
        order = torch.arange(window_index.shape[0], device=window_index.device)
        inverse = torch.zeros_like(window_index).scatter(0, window_index, order)
        return merged[inverse][None]


def vision_indices(c, grid_h, grid_w):
    """(rotary_pos_ids [Np,2], window_index [Np/4], window_seq_ids [Np]) for one image of grid_h×grid_w patches."""
    m = c.merge
    if grid_h % m or grid_w % m:
        raise ValueError(f"grid {grid_h}x{grid_w} is not a multiple of the merge size {m}")
    hpos = torch.arange(grid_h)[:, None].expand(grid_h, grid_w)
    wpos = torch.arange(grid_w)[None, :].expand(grid_h, grid_w)
    def merged_order(p):
        return p.reshape(grid_h // m, m, grid_w // m, m).permute(0, 2, 1, 3).flatten()
    rotary = torch.stack([merged_order(hpos), merged_order(wpos)], dim=-1)
    mh, mw = grid_h // m, grid_w // m
    win = c.window // m // c.patch
    index = torch.arange(mh * mw).reshape(mh, mw)
    pad_h, pad_w = (win - mh % win) % win, (win - mw % win) % win
    padded = torch.nn.functional.pad(index, (0, pad_w, 0, pad_h), value=-1)
    nh, nw = (mh + pad_h) // win, (mw + pad_w) // win
    windows = padded.reshape(nh, win, nw, win).permute(0, 2, 1, 3).reshape(nh * nw, win * win)
    order, seq = [], []
    for w_id, cells in enumerate(windows):
        kept = cells[cells >= 0]
        order.append(kept)
        seq.append(torch.full((kept.numel() * m * m,), w_id, dtype=torch.int64))
    return rotary.to(torch.int64), torch.cat(order).to(torch.int64), torch.cat(seq)


def rope_index(input_ids, image_token_id, merged_h, merged_w):
    """M-RoPE position ids [3,1,S] for a sequence with at most one image of merged_h×merged_w tokens."""
    ids = list(input_ids)
    if image_token_id not in ids:
        pos = torch.arange(len(ids))
        return pos.view(1, 1, -1).expand(3, 1, -1).clone()
    start = ids.index(image_token_id)
    n = merged_h * merged_w
    if ids[start:start + n] != [image_token_id] * n:
        raise ValueError(f"expected {n} consecutive image tokens from position {start}")
    before = torch.arange(start).view(1, -1).expand(3, -1)
    h = torch.arange(merged_h).view(-1, 1).expand(merged_h, merged_w).flatten()
    w = torch.arange(merged_w).view(1, -1).expand(merged_h, merged_w).flatten()
    image = torch.stack([torch.zeros(n, dtype=torch.int64), h, w]) + start
    after_start = int(image.max()) + 1
    after = torch.arange(len(ids) - start - n).view(1, -1).expand(3, -1) + after_start
    return torch.cat([before, image, after], dim=1)[:, None, :].to(torch.int64)
