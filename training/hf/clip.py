"""LLaVA's image side: the CLIP ViT vision tower and the multi-modal projector (linear_1, act, linear_2).

The feature is the hidden state of `vision_feature_layer` (HF's CLIP `hidden_states`: 0 = embeddings after
pre_layrnorm, l = after encoder layer l; negative indices count from the end; a list is concatenated on the
channel axis), without the CLS token under the "default" strategy; post_layernorm is not used by LLaVA.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from hf.checkpoint import CheckpointError
from hf.layers import LayerNorm, Linear, activation, head_scale, softmax_attention


# CLIPVisionConfig's defaults, for the keys a config.json leaves out.
CLIP_DEFAULTS = {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12, "num_hidden_layers": 12,
                 "image_size": 224, "patch_size": 32, "layer_norm_eps": 1e-5, "hidden_act": "quick_gelu"}


class ClipLayer(nn.Module):
    def __init__(self, ck, name, dim, inter, heads, eps, act):
        super().__init__()
        self.heads = heads
        self.layer_norm1 = LayerNorm(ck, f"{name}.layer_norm1", dim, eps)
        a = f"{name}.self_attn"
        self.q_proj = Linear(ck, f"{a}.q_proj", dim, dim, True)
        self.k_proj = Linear(ck, f"{a}.k_proj", dim, dim, True)
        self.v_proj = Linear(ck, f"{a}.v_proj", dim, dim, True)
        self.out_proj = Linear(ck, f"{a}.out_proj", dim, dim, True)
        self.layer_norm2 = LayerNorm(ck, f"{name}.layer_norm2", dim, eps)
        self.fc1 = Linear(ck, f"{name}.mlp.fc1", inter, dim, True)
        self.fc2 = Linear(ck, f"{name}.mlp.fc2", dim, inter, True)
        self.act = activation(act)

    def forward(self, x):
        b, n, d = x.shape
        h = self.layer_norm1(x)
        split = lambda t: t.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        o, _ = softmax_attention(split(self.q_proj(h)), split(self.k_proj(h)), split(self.v_proj(h)),
                                 head_scale(d // self.heads))
        x = x + self.out_proj(o.transpose(1, 2).reshape(b, n, d))
        return x + self.fc2(self.act(self.fc1(self.layer_norm2(x))))


class LlavaVision(nn.Module):
    """pixels [1,3,H,W] -> visual tokens [1,N,D] after the projector (N = (H/patch)·(W/patch))."""

    def __init__(self, ck, cfg, text_hidden):
        super().__init__()
        vc = cfg.get("vision_config") or {}
        if vc.get("model_type", "clip_vision_model") not in ("clip_vision_model", "clip"):
            raise CheckpointError(f"{ck.folder}: vision tower {vc.get('model_type')!r} is not CLIP")
        get = lambda k: vc.get(k, CLIP_DEFAULTS[k])  # noqa: E731
        dim = int(get("hidden_size"))
        inter = int(get("intermediate_size"))
        heads = int(get("num_attention_heads"))
        layers = int(get("num_hidden_layers"))
        self.image_size = int(get("image_size"))
        self.patch = int(get("patch_size"))
        eps = float(get("layer_norm_eps"))
        act = get("hidden_act")
        self.grid = self.image_size // self.patch
        self.strategy = cfg.get("vision_feature_select_strategy", "default")
        if self.strategy not in ("default", "full"):
            raise CheckpointError(f"{ck.folder}: vision_feature_select_strategy {self.strategy!r} is unknown")
        feature_layer = cfg.get("vision_feature_layer", -2)
        self.feature_layers = [feature_layer] if isinstance(feature_layer, int) else list(feature_layer)
        # Hidden-state index (0..layers) of each feature layer; only the encoder layers up to the deepest are run.
        self.feature_index = [i if i >= 0 else layers + 1 + i for i in self.feature_layers]
        if any(not 0 <= i <= layers for i in self.feature_index):
            raise CheckpointError(f"{ck.folder}: vision_feature_layer {feature_layer} outside 0..{layers}")
        run = max(self.feature_index)
        self.class_embedding = nn.Parameter(ck.take("vision.embeddings.class_embedding", (dim,)), requires_grad=False)
        self.patch_embedding = nn.Parameter(ck.take("vision.embeddings.patch_embedding.weight",
                                                    (dim, 3, self.patch, self.patch)), requires_grad=False)
        self.position_embedding = nn.Parameter(ck.take("vision.embeddings.position_embedding.weight",
                                                       (self.grid * self.grid + 1, dim)), requires_grad=False)
        self.pre_layrnorm = LayerNorm(ck, "vision.pre_layrnorm", dim, eps)
        self.layers = nn.ModuleList(ClipLayer(ck, f"vision.encoder.layers.{i}", dim, inter, heads, eps, act)
                                    for i in range(run))
        feat = dim * len(self.feature_layers)
        bias = bool(cfg.get("multimodal_projector_bias", True))
        self.linear_1 = Linear(ck, "projector.linear_1", text_hidden, feat, bias)
        self.linear_2 = Linear(ck, "projector.linear_2", text_hidden, text_hidden, bias)
        self.projector_act = activation(cfg.get("projector_hidden_act", "gelu"))

    def features(self, pixels):
        """The selected vision features [1,N,feat] before the projector."""
        x = F.conv2d(pixels, self.patch_embedding, stride=self.patch).flatten(2).transpose(1, 2)
        cls = self.class_embedding.view(1, 1, -1).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.position_embedding[None]
        hidden = [self.pre_layrnorm(x)]
        for layer in self.layers:
            hidden.append(layer(hidden[-1]))
        picked = [hidden[i] for i in self.feature_index]
        if self.strategy == "default":
            picked = [h[:, 1:] for h in picked]
        return torch.cat(picked, dim=-1)

    def forward(self, pixels):
        return self.linear_2(self.projector_act(self.linear_1(self.features(pixels))))
