"""The bundle's version 2 graphs (docs/bundle-format.md) as modules around the reference implementations.

Each wrapper has exactly the contract's inputs and outputs. Weights may be float16 (`to_half`); every input
and output other than the KV cache stays float32, and the cache is in the weights' precision.
"""
import torch
import torch.nn as nn



def to_half(module):
    """Parameters to float16; buffers (rotary inverse frequencies) stay float32 so positions keep their precision."""
    for p in module.parameters():
        p.data = p.data.half()
    return module


class FixedVisionGraph(nn.Module):
    """pixels [1,3,H,W] -> visual_tokens [1,N,D], local_features [1,N,D] (the window reads the visual tokens)."""

    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixels):
        w = self.vision.patch_embedding
        v = self.vision(pixels.to(w.dtype)).float()
        return v, v


class DynamicVisionGraph(nn.Module):
    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixel_values, rotary_pos_ids, window_index, window_seq_ids):
        v = self.vision(pixel_values, rotary_pos_ids, window_index, window_seq_ids).float()
        return v, v


class EmbedGraph(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text.embed(input_ids).float()


class DecoderGraph(nn.Module):
    """One decoder call; outputs of the newest position only (logits, hidden_states, attention rows)."""

    def __init__(self, text, mrope):
        super().__init__()
        self.text = text
        self.mrope = mrope

    def forward(self, inputs_embeds, past_keys, past_values, position_ids=None):
        dtype = self.text.embed_tokens.dtype
        hidden, probs, pk, pv = self.text.run(inputs_embeds.to(dtype), past_keys, past_values,
                                              position_ids if self.mrope else None, newest_attention=True)
        last = hidden[-1]
        logits = self.text.logits(last[:, -1]).float()
        states = torch.stack([h[:, -1] for h in hidden]).float()              # [L+1,1,D]
        heads = torch.stack([a[0] for a in probs]).float()                    # [L,Hh,P+S]
        attention = heads.mean(1, keepdim=True)                                # [L,1,P+S]
        return logits, last.float(), states, attention, pk, pv, heads


class LensGraph(nn.Module):
    """The optional lens graph: hidden states [1,K,D] of any layer through the final norm and lm_head."""

    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, hidden):
        dtype = self.text.embed_tokens.dtype
        return self.text.logits(self.text.norm(hidden.to(dtype))).float()


class LvrHeadGraph(nn.Module):
    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, hidden):
        dtype = next(self.head.parameters()).dtype
        return self.head(hidden.to(dtype)).float()


class ExtractorGraph(nn.Module):
    def __init__(self, extractor):
        super().__init__()
        self.extractor = extractor

    def forward(self, latent_state, window_features):
        return self.extractor(latent_state, window_features)


class UNetGraph(nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, condition):
        return self.unet(sample, timestep, condition)
