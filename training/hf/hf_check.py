"""Hugging Face `transformers` as the oracle of the reference implementations (imported only when installed).

`hf_inputs` runs the checkpoint's own processor (LLaVA: AutoProcessor; Qwen2.5-VL: Qwen2VLImageProcessor plus
Qwen2_5_VLProcessor's expansion of `<|image_pad|>` into grid/merge² copies, since AutoProcessor would also need a
video processor and torchvision); `hf_forward` runs `…ForConditionalGeneration` with eager attention and returns
every position's logits, every layer's hidden states and attention; `reference_forward` does the same with the
PyTorch reference; `bundle_prefill` runs the exported ONNX graphs over the same prefill.
"""
import json
import os

import numpy as np
import torch

from hf.families import prefill_embeddings
from hf.qwen_vision import rope_index, vision_indices

SYSTEM = "You are a helpful assistant."
TEST_QUESTION = "What colour is the circle in the top left corner?"


def transformers_available():
    try:
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def test_image(width=230, height=150, seed=0):
    """A seeded, non-square RGB test image: smooth gradients, a disc and noise (PIL)."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    img = np.stack([x / width, y / height, 0.5 + 0.5 * np.sin(x / 9.0 + y / 13.0)], -1) * 200
    disc = (x - width * 0.3) ** 2 + (y - height * 0.35) ** 2 < (min(width, height) * 0.2) ** 2
    img[disc] = [230, 40, 40]
    img += rng.normal(0, 12, img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def chat_messages(question):
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]


def hf_inputs(folder, family, image, question, suffix=()):
    """input_ids [1,S], pixel_values, and for Qwen2.5-VL image_grid_thw [1,3], from the checkpoint's processor."""
    from transformers import AutoProcessor, AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder)
    template = read_chat_template(folder)
    text = tok.apply_chat_template(chat_messages(question), chat_template=template, tokenize=False,
                                   add_generation_prompt=True) + "".join(suffix)
    if family == "llava":
        proc = AutoProcessor.from_pretrained(folder)
        out = proc(images=[image], text=[text], return_tensors="pt")
        return {"input_ids": out["input_ids"], "pixel_values": out["pixel_values"]}
    from transformers import Qwen2VLImageProcessor
    ip = Qwen2VLImageProcessor.from_pretrained(folder)
    iv = ip(images=[image], return_tensors="pt")
    n = int(iv["image_grid_thw"][0].prod()) // (ip.merge_size ** 2)
    ids = tok([text.replace("<|image_pad|>", "<|image_pad|>" * n, 1)], return_tensors="pt")["input_ids"]
    return {"input_ids": ids, "pixel_values": iv["pixel_values"], "image_grid_thw": iv["image_grid_thw"]}


def read_chat_template(folder):
    """The checkpoint's chat template: chat_template.jinja, chat_template.json or tokenizer_config.json."""
    jinja = os.path.join(folder, "chat_template.jinja")
    if os.path.isfile(jinja):
        with open(jinja, encoding="utf-8") as f:
            return f.read()
    for name in ("chat_template.json", "tokenizer_config.json"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                t = json.load(f).get("chat_template")
            if isinstance(t, list):
                t = next((x["template"] for x in t if x.get("name") == "default"), None)
            if isinstance(t, str):
                return t
    raise ValueError(f"{folder}: no chat template (chat_template.jinja, chat_template.json or "
                     f"tokenizer_config.json 'chat_template')")


@torch.no_grad()
def hf_forward(folder, family, inputs):
    """(logits [S,V], hidden states L+1 × [S,D], attention L × [Hh,S,S], position_ids or None) from transformers."""
    from transformers import LlavaForConditionalGeneration, Qwen2_5_VLForConditionalGeneration
    cls = LlavaForConditionalGeneration if family == "llava" else Qwen2_5_VLForConditionalGeneration
    model = cls.from_pretrained(folder, attn_implementation="eager", dtype=torch.float32).eval()
    out = model(**inputs, output_hidden_states=True, output_attentions=True, use_cache=False)
    pos = None
    if family == "qwen2_5_vl":
        pos, _ = model.model.get_rope_index(inputs["input_ids"], inputs["image_grid_thw"], None, None, None)
    return (out.logits[0], [h[0] for h in out.hidden_states], [a[0] for a in out.attentions], pos)


def reference_vision(m, inputs):
    if m.family == "llava":
        return m.vision(inputs["pixel_values"]), None
    _, gh, gw = (int(x) for x in inputs["image_grid_thw"][0])
    vis = m.vision(inputs["pixel_values"], *vision_indices(m.vision.c, gh, gw))
    merge = m.vision.c.merge
    return vis, rope_index(inputs["input_ids"][0].tolist(), m.image_token_id, gh // merge, gw // merge)


@torch.no_grad()
def reference_forward(m, inputs, split=None):
    """As hf_forward, from the reference. With `split`, the prefill runs as two decoder calls, the second with
    the first's KV cache, so the result also covers the cache and the position offsets."""
    vis, pos = reference_vision(m, inputs)
    embeds = prefill_embeddings(m, inputs["input_ids"][0].tolist(), vis)
    pk, pv = m.text.empty_cache()
    if split is None:
        hidden, probs, _, _ = m.text.run(embeds, pk, pv, pos)
    else:
        first = m.text.run(embeds[:, :split], pk, pv, None if pos is None else pos[..., :split])
        second = m.text.run(embeds[:, split:], first[2], first[3], None if pos is None else pos[..., split:])
        s = embeds.shape[1]
        hidden = [torch.cat([a, b], dim=1) for a, b in zip(first[0], second[0])]
        pad = lambda a: torch.nn.functional.pad(a, (0, s - split))  # noqa: E731  (causal: zeros past position i)
        probs = [torch.cat([pad(a), b], dim=2) for a, b in zip(first[1], second[1])]
    return m.text.logits(hidden[-1])[0], [h[0] for h in hidden], [a[0] for a in probs], pos


def bundle_prefill(folder, m, inputs, kv_dtype):
    """The exported graphs in onnxruntime over the prefill: (logits [V], hidden_states [L+1,D], attention [L,S])
    of the newest position."""
    import onnxruntime as ort
    sess = lambda f: ort.InferenceSession(os.path.join(folder, f), providers=["CPUExecutionProvider"])  # noqa: E731
    ids = inputs["input_ids"].numpy().astype(np.int64)
    if m.family == "llava":
        vis = sess("vision.onnx").run(["visual_tokens"], {"pixels": inputs["pixel_values"].numpy()})[0]
        pos = None
    else:
        _, gh, gw = (int(x) for x in inputs["image_grid_thw"][0])
        rot, wi, ws = vision_indices(m.vision.c, gh, gw)
        vis = sess("vision.onnx").run(["visual_tokens"], {
            "pixel_values": inputs["pixel_values"].numpy(), "rotary_pos_ids": rot.numpy(),
            "window_index": wi.numpy(), "window_seq_ids": ws.numpy()})[0]
        merge = m.vision.c.merge
        pos = rope_index(ids[0].tolist(), m.image_token_id, gh // merge, gw // merge).numpy()
    emb = sess("embed.onnx").run(["embeddings"], {"input_ids": ids})[0]
    where = np.nonzero(ids[0] == m.image_token_id)[0]
    emb[0, where] = vis[0]
    c = m.text.c
    empty = np.zeros((c.layers, 1, c.kv_heads, 0, c.head_dim), dtype=kv_dtype)
    feeds = {"inputs_embeds": emb, "past_keys": empty, "past_values": empty}
    if pos is not None:
        feeds["position_ids"] = pos
    logits, states, attention = sess("decoder.onnx").run(["logits", "hidden_states", "attention"], feeds)
    return logits[0], states[:, 0], attention[:, 0]


def max_error(got, want):
    got, want = torch.as_tensor(np.asarray(got, dtype=np.float32)), torch.as_tensor(want).float()
    if tuple(got.shape) != tuple(want.shape):
        raise ValueError(f"shape {list(got.shape)} vs {list(want.shape)}")
    return float((got - want).abs().max()), float(want.abs().max())
