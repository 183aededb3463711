"""Building blocks shared by the reference implementations, written to match Hugging Face's eager numerics."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def activation(name):
    """Hugging Face's ACT2FN for the activations these families use."""
    if name in ("silu", "swish"):
        return F.silu
    if name == "gelu":
        return F.gelu
    if name in ("gelu_pytorch_tanh", "gelu_new", "gelu_fast"):
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "quick_gelu":
        return lambda x: x * torch.sigmoid(1.702 * x)
    raise ValueError(f"unsupported activation {name!r}")


class Linear(nn.Module):
    def __init__(self, ck, name, out_features, in_features, bias):
        super().__init__()
        self.weight = nn.Parameter(ck.take(f"{name}.weight", (out_features, in_features)), requires_grad=False)
        self.bias = (nn.Parameter(ck.take(f"{name}.bias", (out_features,)), requires_grad=False)
                     if bias else None)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class RMSNorm(nn.Module):
    def __init__(self, ck, name, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(ck.take(f"{name}.weight", (dim,)), requires_grad=False)
        self.eps = eps

    def forward(self, x):
        # In float32 whatever the weights' precision, as Hugging Face's Qwen2RMSNorm.
        x32 = x.float()
        var = x32.pow(2).mean(-1, keepdim=True)
        return self.weight * (x32 * torch.rsqrt(var + self.eps)).to(x.dtype)


class LayerNorm(nn.Module):
    def __init__(self, ck, name, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(ck.take(f"{name}.weight", (dim,)), requires_grad=False)
        self.bias = nn.Parameter(ck.take(f"{name}.bias", (dim,)), requires_grad=False)
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, self.eps)


class GatedMLP(nn.Module):
    """down(act(gate(x)) * up(x)): the SwiGLU of Qwen2 and of the Qwen2.5-VL vision blocks, and LVR's glu head."""

    def __init__(self, ck, name, dim, inter, act, bias):
        super().__init__()
        self.gate_proj = Linear(ck, f"{name}.gate_proj", inter, dim, bias)
        self.up_proj = Linear(ck, f"{name}.up_proj", inter, dim, bias)
        self.down_proj = Linear(ck, f"{name}.down_proj", dim, inter, bias)
        self.act = activation(act)

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def inverse_frequencies(dim, theta):
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def softmax_attention(q, k, v, scale, mask=None):
    """q [B,H,S,Dh], k/v [B,H,T,Dh]; mask: bool [S,T] (True = may attend). Returns (output, probabilities)."""
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    return torch.matmul(probs, v), probs


def grouped_probabilities(q, k, scale, mask=None):
    """Attention probabilities of grouped-query attention, [B,Hh,S,T], from q [B,Hh,S,Dh] and k [B,Hkv,T,Dh]: query
    head h reads key head h // (Hh/Hkv), as Hugging Face's repeat_kv has it. Each key head's queries are one [G*S,Dh]
    matrix, so a step reads the cache once instead of copying it Hh/Hkv times."""
    b, h, s, dh = q.shape
    hkv, t = k.shape[1], k.shape[2]
    scores = torch.matmul(q.reshape(b, hkv, (h // hkv) * s, dh), k.transpose(-1, -2)).reshape(b, h, s, t) * scale
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores.float(), dim=-1).to(q.dtype)


def grouped_attention(q, k, v, scale, mask=None):
    """grouped_probabilities applied to v [B,Hkv,T,Dh]: (output [B,Hh,S,Dh], probabilities [B,Hh,S,T])."""
    b, h, s, _ = q.shape
    hkv, t = k.shape[1], k.shape[2]
    probs = grouped_probabilities(q, k, scale, mask)
    out = torch.matmul(probs.reshape(b, hkv, (h // hkv) * s, t), v).reshape(b, h, s, v.shape[-1])
    return out, probs


def head_scale(head_dim):
    return head_dim ** -0.5
