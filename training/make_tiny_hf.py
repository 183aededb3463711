"""A seeded, randomly initialised Hugging Face checkpoint, made by `transformers` itself, small enough for tests.

  python training/make_tiny_hf.py --family qwen2_5_vl --out .tmp/hf/qwen-src [--seed 0] [--sharded]
         [--dtype bf16|fp16|fp32] [--layout legacy|current] [--lvr-head simple|glu|none]

The model is `LlavaForConditionalGeneration(config)` / `Qwen2_5_VLForConditionalGeneration(config)` from a tiny
config, saved with `save_pretrained` next to the BPE tokenizer of hf/tiny_tokenizer.py, its chat template and
the image processor's `preprocessor_config.json`. save_pretrained writes the Hub's older key layout
(`vision_tower.*`/`visual.*`, `language_model.model.*`/`model.layers.*`), kept by `--layout legacy`; `--layout current`
renames the keys to the classes' own module names (`model.vision_tower.*`, `model.language_model.*`).
Qwen2.5-VL checkpoints also get LVR's extra tensors (`lvr_head.*`, `lvr_latent_end_emb`) and config fields;
LLaVA ones get `lare_extra.safetensors`, the LaRe Extractor/U-Net file whose contract is in training/README.md.
"""
import argparse
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.lare_extra import write_lare_extra  # noqa: E402
from hf.tiny_tokenizer import build_tokenizer  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

LEGACY = {
    "llava": [("model.vision_tower.", "vision_tower."), ("model.multi_modal_projector.", "multi_modal_projector."),
              ("model.language_model.", "language_model.model."), ("lm_head.", "language_model.lm_head.")],
    "qwen2_5_vl": [("model.visual.", "visual."), ("model.language_model.", "model.")],
}


# Decoder and vision tower sizes. "tiny" is for tests; the others are the scale ladder's random-weight models,
# "real" being Qwen2.5-0.5B's decoder with a CLIP ViT-B/16-sized tower (about 0.6 B parameters).
SIZES = {
    "tiny": {"text": (64, 128, 3, 4, 2, None), "clip": (32, 64, 3, 2, 56, 14), "qwen_vision": (32, 64, 4, 2)},
    "small": {"text": (256, 1024, 6, 8, 2, 32000), "clip": (192, 768, 6, 3, 224, 16), "qwen_vision": (128, 256, 4, 4)},
    "medium": {"text": (512, 2048, 12, 8, 2, 64000), "clip": (384, 1536, 8, 6, 224, 16),
               "qwen_vision": (256, 512, 8, 4)},
    "real": {"text": (896, 4864, 24, 14, 2, 151936), "clip": (768, 3072, 12, 12, 224, 16),
             "qwen_vision": (640, 1280, 16, 10)},
}


def text_config(vocab, tie, size):
    hidden, inter, layers, heads, kv, preset_vocab = SIZES[size]["text"]
    return dict(vocab_size=max(vocab, preset_vocab or 0), hidden_size=hidden, intermediate_size=inter,
                num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv,
                max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1000000.0, hidden_act="silu",
                tie_word_embeddings=tie, attention_dropout=0.0)


def make_llava(tok_ids, vocab, size):
    from transformers import LlavaConfig, LlavaForConditionalGeneration
    hidden, inter, layers, heads, image, patch = SIZES[size]["clip"]
    vision = dict(model_type="clip_vision_model", hidden_size=hidden, intermediate_size=inter,
                  num_hidden_layers=layers, num_attention_heads=heads, image_size=image, patch_size=patch,
                  hidden_act="quick_gelu", projection_dim=hidden, layer_norm_eps=1e-5)
    text = dict(model_type="qwen2", **text_config(vocab, True, size))
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=tok_ids["<image>"],
                         projector_hidden_act="gelu", vision_feature_layer=-2,
                         vision_feature_select_strategy="default", image_seq_length=(image // patch) ** 2,
                         tie_word_embeddings=True)
    config.text_config.tie_word_embeddings = True
    return LlavaForConditionalGeneration(config)


def make_qwen(tok_ids, vocab, size):
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration
    v_hidden, v_inter, depth, v_heads = SIZES[size]["qwen_vision"]
    text = text_config(vocab, False, size)
    vision = dict(depth=depth, hidden_size=v_hidden, intermediate_size=v_inter, num_heads=v_heads,
                  out_hidden_size=text["hidden_size"], patch_size=14, spatial_merge_size=2, temporal_patch_size=2,
                  window_size=56 if size == "tiny" else 112,
                  fullatt_block_indexes=[i for i in range(depth) if i % 4 == 3] or [depth - 1],
                  hidden_act="silu", in_channels=3, tokens_per_second=2)
    # Qwen2.5-VL's proportions: [16, 24, 24] of head_dim/2 = 64.
    half = text["hidden_size"] // text["num_attention_heads"] // 2
    hw = (half - half // 4) // 2
    text["rope_scaling"] = {"type": "mrope", "mrope_section": [half - 2 * hw, hw, hw]}
    config = Qwen2_5_VLConfig(vision_config=vision, text_config=text, image_token_id=tok_ids["<|image_pad|>"],
                              video_token_id=tok_ids["<|video_pad|>"],
                              vision_start_token_id=tok_ids["<|vision_start|>"],
                              vision_end_token_id=tok_ids["<|vision_end|>"], tie_word_embeddings=False)
    return Qwen2_5_VLForConditionalGeneration(config)


def preprocessor_config(family, size):
    if family == "llava":
        image = SIZES[size]["clip"][4]
        return {"image_processor_type": "CLIPImageProcessor", "processor_class": "LlavaProcessor",
                "do_resize": True, "size": {"shortest_edge": image}, "resample": 3, "do_center_crop": True,
                "crop_size": {"height": image, "width": image}, "do_rescale": True, "rescale_factor": 1 / 255,
                "do_normalize": True, "image_mean": CLIP_MEAN, "image_std": CLIP_STD, "do_convert_rgb": True}
    # Tiny: at most 48 visual tokens; the ladder: up to 1,280, enough for grids of 1,000+ tokens.
    max_pixels = 28 * 28 * (48 if size == "tiny" else 1280)
    return {"image_processor_type": "Qwen2VLImageProcessor", "processor_class": "Qwen2_5_VLProcessor",
            "do_resize": True, "resample": 3, "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
            "image_mean": CLIP_MEAN, "image_std": CLIP_STD, "do_convert_rgb": True,
            "min_pixels": 3136, "max_pixels": max_pixels, "size": {"shortest_edge": 3136, "longest_edge": max_pixels},
            "patch_size": 14, "temporal_patch_size": 2, "merge_size": 2}


def processor_config(family, size):
    """What AutoProcessor needs to expand the image placeholder into the visual tokens."""
    if family == "llava":
        return {"processor_class": "LlavaProcessor", "patch_size": SIZES[size]["clip"][5], "vision_feature_select_strategy": "default",
                "num_additional_image_tokens": 1, "image_token": "<image>"}
    return {"processor_class": "Qwen2_5_VLProcessor"}


def lvr_tensors(d, inter, head, gen):
    """LVR's extra parameters (QwenWithLVR): the head and the learned latent-end vector."""
    def lin(o, i):
        return torch.randn(o, i, generator=gen) * 0.05, torch.randn(o, generator=gen) * 0.02
    t = {"lvr_latent_end_emb": torch.randn(d, generator=gen)}
    if head == "simple":
        t["lvr_head.ln_q.weight"] = 1 + 0.1 * torch.randn(d, generator=gen)
        t["lvr_head.ln_q.bias"] = 0.1 * torch.randn(d, generator=gen)
        t["lvr_head.mlp.0.weight"], t["lvr_head.mlp.0.bias"] = lin(d, d)
        t["lvr_head.mlp.2.weight"], t["lvr_head.mlp.2.bias"] = lin(d, d)
    elif head == "glu":
        t["lvr_head.gate_proj.weight"], t["lvr_head.gate_proj.bias"] = lin(inter, d)
        t["lvr_head.up_proj.weight"], t["lvr_head.up_proj.bias"] = lin(inter, d)
        t["lvr_head.down_proj.weight"], t["lvr_head.down_proj.bias"] = lin(d, inter)
    return t


def weight_files(out):
    index = os.path.join(out, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            return index, sorted(set(json.load(f)["weight_map"].values()))
    return None, ["model.safetensors"]


def rewrite_weights(out, rename, extra, dtype):
    """Renames keys (legacy layout) and adds LVR tensors to the last file, keeping the shard index right."""
    index, files = weight_files(out)
    weight_map = {}
    for n, name in enumerate(files):
        path = os.path.join(out, name)
        tensors = {rename(k): v for k, v in load_file(path).items()}
        if n == len(files) - 1:
            tensors.update({k: v.to(dtype) for k, v in extra.items()})
        save_file(tensors, path, metadata={"format": "pt"})
        weight_map.update({k: name for k in tensors})
    if index:
        with open(index) as f:
            data = json.load(f)
        data["weight_map"] = dict(sorted(weight_map.items()))
        with open(index, "w") as f:
            json.dump(data, f, indent=2)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--family", required=True, choices=("llava", "qwen2_5_vl"))
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--size", default="tiny", choices=tuple(SIZES), help="tiny for tests; the rest for the scale ladder")
    p.add_argument("--sharded", action="store_true", help="several safetensors files + model.safetensors.index.json")
    p.add_argument("--dtype", default="fp32", choices=tuple(DTYPES))
    p.add_argument("--layout", default="current", choices=("current", "legacy"))
    p.add_argument("--lvr-head", default="simple", choices=("simple", "glu", "none"), help="qwen2_5_vl only")
    a = p.parse_args(argv)

    tok_json, tok_config, template = build_tokenizer(a.family)
    added = json.loads(tok_json)["added_tokens"]
    tok_ids = {t["content"]: t["id"] for t in added}
    vocab = max(tok_ids.values()) + 1
    torch.manual_seed(a.seed)
    model = (make_llava if a.family == "llava" else make_qwen)(tok_ids, vocab, a.size).eval()
    model.to(DTYPES[a.dtype])
    os.makedirs(a.out, exist_ok=True)
    model.save_pretrained(a.out, max_shard_size="150KB" if a.sharded else "10GB", safe_serialization=True)

    gen = torch.Generator().manual_seed(a.seed + 1)
    extra = {}
    cfg_path = os.path.join(a.out, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    if a.family == "qwen2_5_vl":
        d = cfg["text_config"]["hidden_size"]
        extra = lvr_tensors(d, cfg["text_config"]["intermediate_size"], a.lvr_head, gen)
        cfg.update(lvr_head=a.lvr_head != "none", lvr_head_type=None if a.lvr_head == "none" else a.lvr_head,
                   latent_end_token=True, lvr_start_id=tok_ids["<|lvr_start|>"],
                   lvr_id=tok_ids["<|lvr|>"], lvr_end_id=tok_ids["<|lvr_end|>"])
        with open(cfg_path, "w") as f:
            json.dump(cfg, f, indent=2)
    else:
        write_lare_extra(os.path.join(a.out, "lare_extra.safetensors"), d=cfg["text_config"]["hidden_size"],
                         seed=a.seed, dtype=DTYPES[a.dtype], layers=cfg["text_config"]["num_hidden_layers"],
                         patch=cfg["vision_config"]["patch_size"])

    # save_pretrained writes the legacy (Hub) layout; "current" is what the classes name their modules.
    def rename(k):
        if a.layout == "current":
            for new, old in LEGACY[a.family]:
                if k.startswith(old):
                    return new + k[len(old):]
        return k
    rewrite_weights(a.out, rename, extra, DTYPES[a.dtype])

    with open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(tok_json)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=2)
    with open(os.path.join(a.out, "chat_template.jinja"), "w") as f:
        f.write(template)
    with open(os.path.join(a.out, "preprocessor_config.json"), "w") as f:
        json.dump(preprocessor_config(a.family, a.size), f, indent=2)
    with open(os.path.join(a.out, "processor_config.json"), "w") as f:
        json.dump(processor_config(a.family, a.size), f, indent=2)
    print(f"{a.family} checkpoint ({sum(p.numel() for p in model.parameters())} parameters, {a.dtype}, "
          f"{a.layout} layout{', sharded' if a.sharded else ''}) -> {a.out}")


if __name__ == "__main__":
    main()
