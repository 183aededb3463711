"""The text decoder of both families: Qwen2 (or Llama) blocks with RMSNorm, SwiGLU, grouped-query attention
with optional q/k/v bias, and rotary positions, 1-D (rope_theta) or Qwen2.5-VL's 3-D M-RoPE (mrope_section).

`run` is the one forward pass: the PyTorch reference loop, the ONNX decoder graph and the comparison with
Hugging Face all call it. Hidden states follow Hugging Face's `output_hidden_states`: entry 0 is the input
embeddings, entry l the output of block l, and the last entry is after the final norm.
"""
import torch
import torch.nn as nn

from hf.checkpoint import CheckpointError
from hf.layers import (GatedMLP, Linear, RMSNorm, grouped_attention, grouped_probabilities, head_scale,
                       inverse_frequencies, rotate_half)

# The defaults of Hugging Face's config classes (LlamaConfig, Qwen2Config, Qwen2_5_VLTextConfig): a config.json
# leaves out what equals them (llava-1.5's text_config names little more than its vocabulary).
TEXT_DEFAULTS = {
    "llama": {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
              "num_attention_heads": 32, "hidden_act": "silu", "max_position_embeddings": 2048, "rms_norm_eps": 1e-6,
              "rope_theta": 10000.0, "attention_bias": False, "mlp_bias": False},
    "qwen2": {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
              "num_attention_heads": 32, "num_key_value_heads": 32, "hidden_act": "silu",
              "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
              "attention_bias": True, "mlp_bias": False},
    "qwen2_5_vl_text": {"vocab_size": 152064, "hidden_size": 8192, "intermediate_size": 29568,
                        "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8,
                        "hidden_act": "silu", "max_position_embeddings": 32768, "rms_norm_eps": 1e-5,
                        "rope_theta": 1000000.0, "attention_bias": True, "mlp_bias": False},
}


class TextConfig:
    def __init__(self, tc, kind, where):
        defaults = TEXT_DEFAULTS[kind]

        def get(key):
            v = tc.get(key)
            return defaults.get(key) if v is None else v
        self.hidden = int(get("hidden_size"))
        self.inter = int(get("intermediate_size"))
        self.layers = int(get("num_hidden_layers"))
        self.heads = int(get("num_attention_heads"))
        self.kv_heads = int(get("num_key_value_heads") or self.heads)
        self.head_dim = int(tc.get("head_dim") or self.hidden // self.heads)
        self.vocab = int(get("vocab_size"))
        self.eps = float(get("rms_norm_eps"))
        self.theta = float(get("rope_theta"))
        self.act = get("hidden_act")
        self.bias = bool(get("attention_bias"))
        self.max_positions = int(get("max_position_embeddings"))
        self.mlp_bias = bool(get("mlp_bias"))
        self.tie = bool(tc.get("tie_word_embeddings", False))
        scaling = tc.get("rope_scaling") or {}
        kind_of_rope = scaling.get("rope_type", scaling.get("type", "default"))
        self.mrope_section = None
        if kind_of_rope == "mrope" or "mrope_section" in scaling:
            self.mrope_section = [int(x) for x in scaling["mrope_section"]]
            if sum(self.mrope_section) != self.head_dim // 2:
                raise CheckpointError(f"{where}: mrope_section {self.mrope_section} does not sum to head_dim/2 = "
                                      f"{self.head_dim // 2}")
        elif kind_of_rope != "default":
            raise CheckpointError(f"{where}: rope_scaling type {kind_of_rope!r} is not supported")
        if self.heads % self.kv_heads:
            raise CheckpointError(f"{where}: {self.heads} attention heads are not a multiple of "
                                  f"{self.kv_heads} key/value heads")


class Block(nn.Module):
    def __init__(self, ck, name, c):
        super().__init__()
        self.c = c
        self.input_layernorm = RMSNorm(ck, f"{name}.input_layernorm", c.hidden, c.eps)
        a = f"{name}.self_attn"
        self.q_proj = Linear(ck, f"{a}.q_proj", c.heads * c.head_dim, c.hidden, c.bias)
        self.k_proj = Linear(ck, f"{a}.k_proj", c.kv_heads * c.head_dim, c.hidden, c.bias)
        self.v_proj = Linear(ck, f"{a}.v_proj", c.kv_heads * c.head_dim, c.hidden, c.bias)
        self.o_proj = Linear(ck, f"{a}.o_proj", c.hidden, c.heads * c.head_dim, False)
        self.post_attention_layernorm = RMSNorm(ck, f"{name}.post_attention_layernorm", c.hidden, c.eps)
        self.mlp = GatedMLP(ck, f"{name}.mlp", c.hidden, c.inter, c.act, c.mlp_bias)

    def forward(self, x, cos, sin, past_k, past_v, mask, newest=False):
        """newest: the probabilities returned are the last query's row [B,Hh,P+S] instead of the whole map"""
        c = self.c
        b, s, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, s, c.heads, c.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, s, c.kv_heads, c.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, s, c.kv_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        o, probs = grouped_attention(q, k, v, head_scale(c.head_dim), mask)
        if newest:
            # The last query's row once more, on its own (its mask row is all True). Taken from the full map, an
            # exported graph keeps every layer's map alive: onnxruntime runs all nodes whatever is fetched, and it
            # orders the row's Gather after the last layer (24 maps of [14,610,610], 0.5 GB over a 610-token
            # prefill at 0.6 B). Computed apart, the map's only consumer is probs @ v and it is freed at once.
            probs = grouped_probabilities(q[:, :, -1:], k, head_scale(c.head_dim))[:, :, 0]
        o = o.transpose(1, 2).reshape(b, s, c.heads * c.head_dim)
        x = x + self.o_proj(o)
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, k, v, probs


class TextDecoder(nn.Module):
    def __init__(self, ck, c, where):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Parameter(ck.take("text.embed_tokens.weight", (c.vocab, c.hidden)), requires_grad=False)
        self.blocks = nn.ModuleList(Block(ck, f"text.layers.{i}", c) for i in range(c.layers))
        self.norm = RMSNorm(ck, "text.norm", c.hidden, c.eps)
        # Tied, Hugging Face's tie_weights makes lm_head the embedding matrix even when a file stores one.
        if c.tie:
            self.lm_head = self.embed_tokens
        else:
            self.lm_head = nn.Parameter(ck.take("lm_head.weight", (c.vocab, c.hidden)), requires_grad=False)
        self.register_buffer("inv_freq", inverse_frequencies(c.head_dim, c.theta), persistent=False)
        if c.mrope_section is not None:
            # Which of (t, h, w) drives each rotary channel: HF splits cat(freqs, freqs) into
            # mrope_section * 2 chunks and takes axis i % 3 for chunk i.
            axes = [i % 3 for i, n in enumerate(c.mrope_section * 2) for _ in range(n)]
            self.register_buffer("mrope_axes", torch.tensor(axes, dtype=torch.int64), persistent=False)

    def embed(self, ids):
        return self.embed_tokens[ids]

    def rotary(self, position_ids, past, s, dtype):
        """cos, sin [1,1,S,Dh] (1-D) or gathered per channel from the three M-RoPE axes."""
        if self.c.mrope_section is None:
            pos = (torch.arange(s, device=self.inv_freq.device) + past).float()
            freqs = pos[:, None] * self.inv_freq[None, :]
            emb = torch.cat((freqs, freqs), dim=-1)
            return emb.cos()[None, None].to(dtype), emb.sin()[None, None].to(dtype)
        pos = position_ids[:, 0, :].float()                                # [3,S]
        freqs = pos[:, :, None] * self.inv_freq[None, None, :]              # [3,S,Dh/2]
        emb = torch.cat((freqs, freqs), dim=-1)                             # [3,S,Dh]
        idx = self.mrope_axes.view(1, 1, -1).expand(1, emb.shape[1], -1)    # [1,S,Dh]
        emb = torch.gather(emb, 0, idx)[0]                                  # [S,Dh]
        return emb.cos()[None, None].to(dtype), emb.sin()[None, None].to(dtype)

    def run(self, embeds, past_k, past_v, position_ids=None, newest_attention=False):
        """embeds [1,S,D]; past_k/v [L,1,Hkv,P,Dh]; position_ids [3,1,S] (mrope only).
        Returns hidden (L+1 of [1,S,D]), probs (L of [1,Hh,S,P+S], or [1,Hh,P+S] with newest_attention),
        present_k/v [L,1,Hkv,P+S,Dh]."""
        s = embeds.shape[1]
        p = past_k.shape[3]
        cos, sin = self.rotary(position_ids, p, s, embeds.dtype)
        q_idx = torch.arange(s, device=embeds.device) + p
        k_idx = torch.arange(p + s, device=embeds.device)
        mask = k_idx[None, :] <= q_idx[:, None]
        x = embeds
        hidden, probs, pk, pv = [x], [], [], []
        for i, blk in enumerate(self.blocks):
            x, k, v, a = blk(x, cos, sin, past_k[i], past_v[i], mask, newest_attention)
            hidden.append(x)
            probs.append(a)
            pk.append(k)
            pv.append(v)
        hidden[-1] = self.norm(x)
        return hidden, probs, torch.stack(pk), torch.stack(pv)

    def logits(self, last_hidden):
        return last_hidden @ self.lm_head.t()

    def empty_cache(self):
        c = self.c
        z = torch.zeros(c.layers, 1, c.kv_heads, 0, c.head_dim)
        return z, z.clone()
