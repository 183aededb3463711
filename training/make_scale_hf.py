"""Random-weight LLaVA-style checkpoints for the scale ladder (`npm run bench -- --only scale`), made by `transformers`.

  python training/make_scale_hf.py --size small|medium|large --out .tmp/scale/large-src [--seed 0]

`large` is real size: a Qwen2.5-0.5B-shaped decoder (24 layers, width 896, MLP 4864, 14 query / 2 KV heads,
vocabulary 151,936, tied embeddings, rope_theta 1e6) behind a CLIP ViT-B/16-sized tower (12 layers, width 768)
at 384 px, so 576 visual tokens and a prefill of about 600 tokens; about 0.6 B parameters in float32. `small`
and `medium` keep the image, the vocabulary and the prompt and shrink the towers, so the ladder isolates the
model's width and depth. Every size gets the LaRe extra file (Extractor + U-Net) so its bundle runs the LaRe loop.

The tokenizer is make_tiny_hf.py's byte-level BPE (about 1,800 ids): like a real Qwen checkpoint, whose
tokenizer ends before the embedding table does, the ids past it are valid model outputs that no token spells.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.lare_extra import write_lare_extra  # noqa: E402
from hf.tiny_tokenizer import build_tokenizer  # noqa: E402
from make_tiny_hf import LEGACY, preprocessor_config, processor_config, rewrite_weights  # noqa: E402

IMAGE_SIZE, PATCH = 384, 16
VOCAB = 151936
SIZES = {
    # vision: layers, width, heads; text: layers, width, MLP, query heads, KV heads
    "small": dict(v_layers=4, v_width=256, v_heads=4, layers=4, width=256, inter=1024, heads=4, kv=2),
    "medium": dict(v_layers=8, v_width=512, v_heads=8, layers=12, width=512, inter=2816, heads=8, kv=2),
    "large": dict(v_layers=12, v_width=768, v_heads=12, layers=24, width=896, inter=4864, heads=14, kv=2),
}


def make_model(s, image_token):
    from transformers import LlavaConfig, LlavaForConditionalGeneration
    vision = dict(model_type="clip_vision_model", hidden_size=s["v_width"], intermediate_size=4 * s["v_width"],
                  num_hidden_layers=s["v_layers"], num_attention_heads=s["v_heads"], image_size=IMAGE_SIZE,
                  patch_size=PATCH, hidden_act="quick_gelu", projection_dim=s["v_width"], layer_norm_eps=1e-5)
    text = dict(model_type="qwen2", vocab_size=VOCAB, hidden_size=s["width"], intermediate_size=s["inter"],
                num_hidden_layers=s["layers"], num_attention_heads=s["heads"], num_key_value_heads=s["kv"],
                max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1000000.0, hidden_act="silu",
                tie_word_embeddings=True, attention_dropout=0.0)
    grid = IMAGE_SIZE // PATCH
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_index=image_token,
                         projector_hidden_act="gelu", vision_feature_layer=-2,
                         vision_feature_select_strategy="default", image_seq_length=grid * grid,
                         tie_word_embeddings=True)
    config.text_config.tie_word_embeddings = True
    return LlavaForConditionalGeneration(config)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", required=True, choices=tuple(SIZES))
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    s = SIZES[a.size]

    tok_json, tok_config, template = build_tokenizer("llava")
    tok_ids = {t["content"]: t["id"] for t in json.loads(tok_json)["added_tokens"]}
    torch.manual_seed(a.seed)
    model = make_model(s, tok_ids["<image>"]).eval()
    os.makedirs(a.out, exist_ok=True)
    # one file: the converter reads either layout, and the ladder measures size, not sharding
    model.save_pretrained(a.out, max_shard_size="20GB", safe_serialization=True)
    n_params = sum(p.numel() for p in model.parameters())
    del model

    write_lare_extra(os.path.join(a.out, "lare_extra.safetensors"), d=s["width"], seed=a.seed,
                     layers=s["layers"], patch=PATCH)

    def rename(k):
        for new, old in LEGACY["llava"]:
            if k.startswith(old):
                return new + k[len(old):]
        return k
    rewrite_weights(a.out, rename, {}, torch.float32)

    with open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(tok_json)
    write_json(os.path.join(a.out, "tokenizer_config.json"), tok_config)
    with open(os.path.join(a.out, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(template)
    pre = preprocessor_config("llava", "tiny")
    # make_tiny_hf.py's processor files for its own sizes, with this ladder's 384 px image and 16 px patches
    pre.update(size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})
    write_json(os.path.join(a.out, "preprocessor_config.json"), pre)
    write_json(os.path.join(a.out, "processor_config.json"), {**processor_config("llava", "tiny"), "patch_size": PATCH})
    print(f"{a.size} llava checkpoint ({n_params} parameters, fp32, vocabulary {VOCAB}, "
          f"{(IMAGE_SIZE // PATCH) ** 2} visual tokens) -> {a.out}")


if __name__ == "__main__":
    main()
