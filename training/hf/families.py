"""One loaded model per (family, method): the reference modules built from a checkpoint folder.

  m = load_model(folder, 'qwen2_5_vl', 'lvr')   # or ('llava', 'lare', extra=path) / ('llava', 'direct')

Fails with CheckpointError, naming the tensor, on a checkpoint of another model_type, a missing tensor or a
tensor of the wrong shape; tensors of the checkpoint that the method does not use are listed in `m.unused`.
"""
import torch

from hf.checkpoint import Checkpoint, CheckpointError
from hf.clip import LlavaVision
from hf.lare_extra import load_lare_extra
from hf.lvr import LvrHead
from hf.qwen_vision import QwenVision
from hf.text import TextConfig, TextDecoder

FAMILIES = ("llava", "qwen2_5_vl")
METHODS = {"llava": ("lare", "direct"), "qwen2_5_vl": ("lvr", "direct")}


class LoadedModel:
    def __init__(self, family, method, folder, config, text, vision, lvr_head=None, latent_end=None,
                 lare=None, unused=()):
        self.family, self.method, self.folder, self.config = family, method, folder, config
        self.text, self.vision = text, vision
        self.lvr_head, self.latent_end = lvr_head, latent_end
        self.lare = lare  # (model.Config, Extractor, UNet) or None
        self.unused = list(unused)

    @property
    def image_token_id(self):
        return image_token_id(self.config, self.family)


def image_token_id(cfg, family):
    """The image placeholder id; absent, the default of LlavaConfig / Qwen2_5_VLConfig."""
    if family == "llava":
        return int(cfg.get("image_token_index", cfg.get("image_token_id", 32000)))
    return int(cfg.get("image_token_id", 151655))


def text_config_dict(cfg):
    """The text model's fields: `text_config` (current configs) or the top level (Hub Qwen2.5-VL configs)."""
    tc = dict(cfg.get("text_config") or {})
    for k, v in cfg.items():
        if k not in ("text_config", "vision_config"):
            tc.setdefault(k, v)
    return tc


def load_model(folder, family, method, extra=None):
    if family not in FAMILIES:
        raise CheckpointError(f"unknown family {family!r}: expected one of {', '.join(FAMILIES)}")
    if method not in METHODS[family]:
        raise CheckpointError(f"method {method!r} does not apply to family {family!r} "
                              f"(expected {' or '.join(METHODS[family])})")
    ck = Checkpoint(folder, family)
    cfg = ck.config
    if cfg.get("model_type") != family:
        raise CheckpointError(f"{folder}/config.json: model_type {cfg.get('model_type')!r}, but --family is "
                              f"{family!r}")
    tc = text_config_dict(cfg)
    if family == "llava":
        kind = tc.get("model_type", "llama")
        if kind not in ("qwen2", "llama"):
            raise CheckpointError(f"{folder}/config.json: text model_type {kind!r} is not qwen2 or llama")
    else:
        kind = "qwen2_5_vl_text"
    c = TextConfig(tc, kind, f"{folder}/config.json")
    if family == "qwen2_5_vl" and c.mrope_section is None:
        raise CheckpointError(f"{folder}/config.json: Qwen2.5-VL without rope_scaling.mrope_section")
    if family == "llava" and c.mrope_section is not None:
        raise CheckpointError(f"{folder}/config.json: LLaVA text model with M-RoPE is not supported")
    text = TextDecoder(ck, c, folder).eval()
    if family == "llava":
        vision = LlavaVision(ck, cfg, c.hidden).eval()
    else:
        vision = QwenVision(ck, cfg, c.hidden).eval()
    lvr_head = latent_end = lare = None
    if method == "lvr":
        if cfg.get("lvr_head"):
            lvr_head = LvrHead(ck, cfg.get("lvr_head_type") or "simple", c.hidden, c.inter, c.act).eval()
        if cfg.get("latent_end_token"):
            latent_end = ck.take("lvr_latent_end_emb", (c.hidden,))
    if method == "lare":
        if extra is None:
            raise CheckpointError("--method lare needs --extra <safetensors with the Extractor/U-Net>")
        try:
            lare = load_lare_extra(extra, c.hidden, vision.patch)
        except ValueError as e:
            raise CheckpointError(str(e)) from None
    return LoadedModel(family, method, folder, cfg, text, vision, lvr_head, latent_end, lare, ck.unused())


@torch.no_grad()
def prefill_embeddings(m, input_ids, visual_tokens):
    """Input embeddings of a prefill whose image tokens are replaced by the visual tokens, in order."""
    ids = torch.as_tensor(input_ids, dtype=torch.int64).view(1, -1)
    embeds = m.text.embed(ids)
    where = (ids[0] == m.image_token_id).nonzero().flatten()
    if where.numel() != visual_tokens.shape[1]:
        raise ValueError(f"{where.numel()} image tokens in the prompt but {visual_tokens.shape[1]} visual tokens")
    embeds[0, where] = visual_tokens[0]
    return embeds
