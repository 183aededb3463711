"""LVR's extra parameters, read from the checkpoint itself (QwenWithLVR): the head applied to the last hidden
state of latent positions before it is fed back, and the learned latent-end vector of the `latent` stop rule."""
import torch.nn as nn

from hf.checkpoint import CheckpointError
from hf.layers import GatedMLP, LayerNorm, Linear, activation


class LvrHead(nn.Module):
    """`simple`: ln_q (LayerNorm, eps 1e-6) -> mlp.0 -> GELU -> mlp.2; `glu`: down(act(gate(x)) * up(x))."""

    def __init__(self, ck, kind, d, inter, act):
        super().__init__()
        self.kind = kind
        if kind == "simple":
            self.ln_q = LayerNorm(ck, "lvr_head.ln_q", d, 1e-6)
            self.mlp0 = Linear(ck, "lvr_head.mlp.0", d, d, True)
            self.mlp2 = Linear(ck, "lvr_head.mlp.2", d, d, True)
            self.gelu = activation("gelu")
        elif kind == "glu":
            self.glu = GatedMLP(ck, "lvr_head", d, inter, act, True)
        else:
            raise CheckpointError(f"{ck.folder}: lvr_head_type {kind!r} is neither 'simple' nor 'glu'")

    def forward(self, hidden):
        if self.kind == "simple":
            return self.mlp2(self.gelu(self.mlp0(self.ln_q(hidden))))
        return self.glu(hidden)
