"""Convert a Hugging Face checkpoint into a Latent Trace bundle, format version 2 (docs/bundle-format.md).

  python training/convert_hf.py <hf-dir> --family llava|qwen2_5_vl --method lare|lvr|direct --out <bundle-dir>
         [--dtype fp32|fp16] [--extra <lare safetensors>] [--name NAME] [--external-data]

1. Loads the checkpoint into the pure-PyTorch reference (training/hf/), by Hugging Face parameter names, in
   either key layout; a checkpoint of another model_type, a missing tensor or a tensor of the wrong shape stops
   here with the tensor's name.
2. Exports every graph to ONNX and checks each in onnxruntime against the reference on seeded inputs
   (fp32: |Δ| ≤ 1e-4 + 1e-5·max|ref|; fp16: |Δ| ≤ 1e-2·max|ref|).
3. When `transformers` is importable, runs Hugging Face's own model (eager attention) on a seeded non-square test
   image and prompt through the checkpoint's processor, and compares every position's logits, every layer's
   hidden states and attention with the reference, and the bundle's prefill (newest position) with it too.
   Without transformers it says so in one line.
4. Writes the bundle into a temporary folder beside --out and renames it into place: a failed conversion leaves
   nothing behind, and the exit status is non-zero with a message naming the tensor and the error.
"""
import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.checkpoint import CheckpointError  # noqa: E402
from hf.export_graphs import check_graph, export_graph, graph_specs  # noqa: E402
from hf.families import load_model  # noqa: E402
from hf.hf_check import (SYSTEM, TEST_QUESTION, bundle_prefill, hf_forward, hf_inputs, max_error,  # noqa: E402
                         read_chat_template, reference_forward, test_image, transformers_available)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LATENT_TOKENS = {"lare": ("<|latent_start|>", "<|latent_end|>"), "lvr": ("<|lvr_start|>", "<|lvr_end|>")}
IMAGE_TOKENS = {"llava": "<image>", "qwen2_5_vl": "<|image_pad|>"}
RESAMPLE = {2: "bilinear", 3: "bicubic"}
HF_ATOL, HF_RTOL, FP16_RTOL = 1e-4, 1e-5, 1e-2
LATENT_END_FILE = "lvr_latent_end.bin"


class ConversionError(Exception):
    pass


def read_json(path, what):
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: missing ({what})")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ConversionError(f"{path}: not valid JSON ({e})") from None


def token_text(v):
    return v.get("content") if isinstance(v, dict) else v


def special_tokens(folder, method):
    """tokenizer.special: from tokenizer_config.json; bos/unk fall back to eos where the tokenizer has none
    (Qwen tokenizers have neither), and the latent tokens must be added tokens of tokenizer.json."""
    tok = read_json(os.path.join(folder, "tokenizer.json"), "the tokenizer")
    cfg = read_json(os.path.join(folder, "tokenizer_config.json"), "the tokenizer's special tokens")
    added = {t["content"] for t in tok.get("added_tokens", [])}
    eos = token_text(cfg.get("eos_token"))
    if not eos:
        raise ConversionError(f"{folder}/tokenizer_config.json: no eos_token")
    pad = token_text(cfg.get("pad_token")) or eos
    special = {"bos": token_text(cfg.get("bos_token")) or eos, "eos": eos, "pad": pad,
               "unk": token_text(cfg.get("unk_token")) or eos}
    if method in LATENT_TOKENS:
        special["latentStart"], special["latentEnd"] = LATENT_TOKENS[method]
    for k, t in special.items():
        if k.startswith("latent") and t not in added:
            raise ConversionError(f"{folder}/tokenizer.json: special token {t} ({k}) is not an added token")
    return special


def image_spec(folder, m):
    pp = read_json(os.path.join(folder, "preprocessor_config.json"), "the image processor")
    where = f"{folder}/preprocessor_config.json"
    mean, std = pp.get("image_mean"), pp.get("image_std")
    if not (isinstance(mean, list) and len(mean) == 3 and isinstance(std, list) and len(std) == 3):
        raise ConversionError(f"{where}: image_mean and image_std must be lists of 3 numbers")
    resample = RESAMPLE.get(pp.get("resample", 3))
    if resample is None:
        raise ConversionError(f"{where}: resample {pp.get('resample')} is neither bilinear (2) nor bicubic (3)")
    if abs(pp.get("rescale_factor", 1 / 255) - 1 / 255) > 1e-12 or not pp.get("do_normalize", True):
        raise ConversionError(f"{where}: only rescale_factor 1/255 with normalisation is supported")
    if m.family == "llava":
        v = m.vision
        if v.strategy != "default":
            raise ConversionError(f"{folder}/config.json: vision_feature_select_strategy {v.strategy!r} keeps the CLS "
                                  f"token among the visual tokens, which bundle format v2's rows×cols grid cannot hold")
        size, crop = pp.get("size", {}), pp.get("crop_size", {})
        crop = {"height": crop, "width": crop} if isinstance(crop, int) else crop
        if pp.get("do_center_crop", True):
            edge = size if isinstance(size, int) else size.get("shortest_edge")
            if not edge:
                raise ConversionError(f"{where}: center crop without size.shortest_edge")
            resize = {"resize": "shortest-edge-center-crop", "shortestEdge": int(edge)}
            h, w = int(crop.get("height", 0)), int(crop.get("width", 0))
        else:
            resize = {"resize": "stretch"}
            h, w = int(size.get("height", 0)), int(size.get("width", 0))
        if (h, w) != (v.image_size, v.image_size):
            raise ConversionError(f"{where}: the processor makes {h}x{w} images, the vision tower takes "
                                  f"{v.image_size}x{v.image_size}")
        return {"kind": "fixed", "height": h, "width": w, **resize, "resample": resample, "mean": mean, "std": std,
                "patchSize": v.patch, "grid": {"rows": v.grid, "cols": v.grid}}
    c = m.vision.c
    size = pp.get("size") or {}
    min_pixels = pp.get("min_pixels", size.get("shortest_edge"))
    max_pixels = pp.get("max_pixels", size.get("longest_edge"))
    if not min_pixels or not max_pixels:
        raise ConversionError(f"{where}: min_pixels/max_pixels missing")
    for key, want in (("patch_size", c.patch), ("temporal_patch_size", c.temporal), ("merge_size", c.merge)):
        if int(pp.get(key, want)) != want:
            raise ConversionError(f"{where}: {key} {pp.get(key)} but the vision config has {want}")
    return {"kind": "dynamic", "patchSize": c.patch, "temporalPatchSize": c.temporal, "mergeSize": c.merge,
            "minPixels": int(min_pixels), "maxPixels": int(max_pixels), "resample": resample, "mean": mean,
            "std": std, "windowSize": c.window}


def content_hash(folder, files):
    lines = []
    for name in sorted(set(files)):
        with open(os.path.join(folder, name), "rb") as f:
            lines.append(f"{name}\n{hashlib.sha256(f.read()).hexdigest()}\n")
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


def git_revision():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build_manifest(a, m, special, template, image, graph_files, metrics, dtype, rule):
    c = m.text.c
    half = dtype == "fp16"
    method = a.method
    suffix = [special["latentStart"]] if method != "direct" else []
    model = {"hiddenSize": c.hidden, "layers": c.layers, "heads": c.heads, "headDim": c.head_dim,
             "vocabSize": c.vocab, "maxPositions": c.max_positions, "kvHeads": c.kv_heads,
             "positions": "mrope" if c.mrope_section is not None else "implied",
             "dtype": "float16" if half else "float32", "kvDtype": "float16" if half else "float32",
             "visualTokens": image["grid"]["rows"] * image["grid"]["cols"] if image["kind"] == "fixed" else None}
    if c.mrope_section is not None:
        model["mropeSection"] = list(c.mrope_section)
    params = sum(p.numel() for p in m.text.parameters()) + sum(p.numel() for p in m.vision.parameters())
    defaults = {"latentSteps": 0, "maxLatentSteps": 0, "stop": "fixed",
                "thresholds": {"cosine": 0.05, "l1": 5.0, "l2": 1.0}, "maxAnswerTokens": 32}
    man = {
        "format": "latent-trace-bundle", "formatVersion": 2, "name": a.name or os.path.basename(os.path.abspath(a.out)),
        "version": "1.0.0", "method": method, "family": m.family,
        "description": f"{m.family} {method} converted from {os.path.abspath(a.checkpoint)}",
        "hash": "", "provenance": {"command": " ".join(["python", "training/convert_hf.py"] + sys.argv[1:]),
                                   "seed": a.seed, "gitRevision": git_revision(),
                                   "trainedAt": datetime.datetime.now(datetime.timezone.utc).strftime(
                                       "%Y-%m-%dT%H:%M:%SZ"),
                                   "parameters": int(params), "metrics": metrics},
        "image": image,
        "tokenizer": {"file": "tokenizer.json", "special": special, "chatTemplate": template},
        "prompt": {"chat": {"system": SYSTEM, "imageToken": IMAGE_TOKENS[m.family], "suffix": suffix}},
        "model": model, "graphs": graph_files, "defaults": defaults,
    }
    if method == "lare":
        cfg = m.lare[0]
        man["saliency"] = {"layers": list(cfg.saliency_layers)}
        man["window"] = {"size": cfg.window, "stride": cfg.stride}
        man["extractor"] = {"layers": cfg.extractor_layers, "stateLayers": list(cfg.state_layers)}
        man["reconstruction"] = {"channels": 3, "size": cfg.recon_size,
                                 "schedule": {"type": "linear", "betaStart": cfg.beta_start, "betaEnd": cfg.beta_end,
                                              "steps": cfg.diffusion_steps},
                                 "sampler": "ddim", "samplerSteps": cfg.sampler_steps, "clipSample": cfg.clip_sample}
        defaults.update(latentSteps=cfg.latent_steps, maxLatentSteps=cfg.max_latent_steps)
    if method == "lvr":
        defaults.update(latentSteps=rule["steps"], maxLatentSteps=rule["maxSteps"], lvrStop=rule["stop"])
        man["lvr"] = {"latentEndEmbedding": LATENT_END_FILE if m.latent_end is not None else None,
                      "criterion": rule["criterion"], "threshold": rule["threshold"], "maxSteps": rule["maxSteps"]}
    return man


def lvr_rule(a, m):
    """LVR's stop rule: the command line, else the checkpoint's generation_config.json (LVR's `generate` reads
    decoding_strategy, criterion, lvr_end_threshold and lvr_max_steps from it), else LVR's defaults."""
    path = os.path.join(a.checkpoint, "generation_config.json")
    gen = read_json(path, "generation settings") if os.path.isfile(path) else {}
    strategy = a.lvr_stop or gen.get("decoding_strategy")
    stop = {"latent": "latent", "steps": "fixed", "fixed": "fixed", None: None}.get(strategy, "end-token")
    if stop is None:
        stop = "latent" if m.latent_end is not None else "end-token"
    if stop == "latent" and m.latent_end is None:
        raise ConversionError(f"{a.checkpoint}: the 'latent' stop rule needs lvr_latent_end_emb "
                              f"(config.latent_end_token), which this checkpoint lacks")
    criterion = a.lvr_criterion or gen.get("criterion") or "mse"
    if criterion not in ("mse", "mae", "cosine"):
        raise ConversionError(f"{path}: criterion {criterion!r} is not mse, mae or cosine")
    threshold = a.lvr_threshold if a.lvr_threshold is not None else float(gen.get("lvr_end_threshold", 0.02))
    max_steps = a.lvr_max_steps or int(gen.get("lvr_max_steps", 16))
    steps = a.lvr_steps or min(8, max_steps)
    return {"stop": stop, "criterion": criterion, "threshold": threshold, "maxSteps": max_steps, "steps": steps}


def compare(name, got, want, rtol_only=None):
    """Max abs error of got vs want; ConversionError naming the tensor when over the tolerance."""
    err, scale = max_error(got, want)
    limit = rtol_only * max(scale, 1e-6) if rtol_only else HF_ATOL + HF_RTOL * scale
    if not err <= limit:
        raise ConversionError(f"Hugging Face check failed: {name} differs by {err:.3g} (max |HF| {scale:.3g}, "
                              f"tolerance {limit:.3g}); the bundle is not written")
    return err


def hf_check(a, m, folder, dtype, kv_dtype):
    """Reference vs transformers (every position) and bundle vs transformers (newest position of the prefill)."""
    suffix = [LATENT_TOKENS[a.method][0]] if a.method in LATENT_TOKENS else []
    inputs = hf_inputs(a.checkpoint, m.family, test_image(), TEST_QUESTION, suffix)
    h_logits, h_hidden, h_attn, h_pos = hf_forward(a.checkpoint, m.family, inputs)
    r_logits, r_hidden, r_attn, r_pos = reference_forward(m, inputs)
    worst = {"hfReferenceLogits": 0.0, "hfReferenceHidden": 0.0, "hfReferenceAttention": 0.0}
    if h_pos is not None and not np.array_equal(h_pos.numpy(), r_pos.numpy()):
        raise ConversionError("Hugging Face check failed: position_ids (get_rope_index) differ from the reference")
    if len(r_hidden) != len(h_hidden) or len(r_attn) != len(h_attn):
        raise ConversionError(f"Hugging Face check failed: {len(h_hidden)} hidden states and {len(h_attn)} attention "
                              f"maps from transformers, {len(r_hidden)} and {len(r_attn)} from the reference")
    # In the order the forward pass makes them, so the first tensor named is where the two part.
    for i, h in enumerate(h_hidden):
        err = compare(f"hidden_states[{i}] (reference, all {h.shape[0]} positions)", r_hidden[i], h)
        worst["hfReferenceHidden"] = max(worst["hfReferenceHidden"], err)
        if i < len(h_attn):
            err = compare(f"attention[{i}] (reference, all heads and positions)", r_attn[i], h_attn[i])
            worst["hfReferenceAttention"] = max(worst["hfReferenceAttention"], err)
    worst["hfReferenceLogits"] = compare("logits (reference, all positions)", r_logits, h_logits)
    split = int(inputs["input_ids"].shape[1]) - 3
    c_logits, c_hidden, c_attn, _ = reference_forward(m, inputs, split=split)
    for i, h in enumerate(h_hidden):
        worst["hfReferenceHidden"] = max(worst["hfReferenceHidden"], compare(
            f"hidden_states[{i}] (reference with a KV cache of {split} positions)", c_hidden[i], h))
    for i, h in enumerate(h_attn):
        worst["hfReferenceAttention"] = max(worst["hfReferenceAttention"], compare(
            f"attention[{i}] (reference with a KV cache of {split} positions)", c_attn[i], h))
    worst["hfReferenceLogits"] = max(worst["hfReferenceLogits"], compare(
        f"logits (reference with a KV cache of {split} positions)", c_logits, h_logits))
    b_logits, b_states, b_attn = bundle_prefill(folder, m, inputs, kv_dtype)
    rt = FP16_RTOL if dtype == "fp16" else None
    worst["hfBundleLogits"] = compare("logits (bundle, last prefill position)", b_logits, h_logits[-1], rt)
    worst["hfBundleHidden"] = compare("hidden_states (bundle, last prefill position)", b_states,
                                      np.stack([h[-1].numpy() for h in h_hidden]), rt)
    worst["hfBundleAttention"] = compare("attention (bundle, last prefill position)", b_attn,
                                         np.stack([h[:, -1].mean(0).numpy() for h in h_attn]), rt)
    worst["hfPrefillTokens"] = int(inputs["input_ids"].shape[1])
    return worst


def replace_folder(tmp, out):
    """Moves tmp to out; an existing bundle at out is replaced, anything else there is refused."""
    if os.path.exists(out):
        if not os.path.isfile(os.path.join(out, "latent-trace.json")) and os.listdir(out):
            raise ConversionError(f"{out}: exists and is not a bundle; refusing to replace it")
        old = tempfile.mkdtemp(prefix="." + os.path.basename(out) + ".old-", dir=os.path.dirname(out))
        os.rename(out, os.path.join(old, "bundle"))
        os.rename(tmp, out)
        shutil.rmtree(old)
    else:
        os.rename(tmp, out)


def convert(a):
    t0 = time.time()
    if a.method == "lare" and not a.extra:
        raise ConversionError("--method lare needs --extra <safetensors with the Extractor/U-Net weights>")
    m = load_model(a.checkpoint, a.family, a.method, a.extra)
    special = special_tokens(a.checkpoint, a.method)
    try:
        template = read_chat_template(a.checkpoint)
    except ValueError as e:
        raise ConversionError(str(e)) from None
    image = image_spec(a.checkpoint, m)
    rule = lvr_rule(a, m) if a.method == "lvr" else None
    out = os.path.abspath(a.out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(out) + ".tmp-", dir=parent)
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 would make the bundle private to this user
    try:
        graph_files, hashed, metrics = {}, [], {}
        keys = {"vision.onnx": "vision", "embed.onnx": "embed", "decoder.onnx": "decoder",
                "extractor.onnx": "extractor", "unet.onnx": "unet", "lvr_head.onnx": "lvrHead"}
        for spec in graph_specs(m, a.dtype, a.seed):
            big = a.external_data and spec.file in ("decoder.onnx", "embed.onnx")
            hashed += export_graph(spec, tmp, external=big)
            worst = check_graph(spec, tmp, a.dtype)
            graph_files[keys[spec.file]] = spec.file
            metrics[f"onnx.{keys[spec.file]}"] = max(worst.values())
            print(f"  {spec.file}: onnxruntime vs reference, max |Δ| " +
                  ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
        shutil.copyfile(os.path.join(a.checkpoint, "tokenizer.json"), os.path.join(tmp, "tokenizer.json"))
        hashed.append("tokenizer.json")
        if a.method == "lvr" and m.latent_end is not None:
            m.latent_end.numpy().astype("<f4").tofile(os.path.join(tmp, LATENT_END_FILE))
            hashed.append(LATENT_END_FILE)
        kv_dtype = np.float16 if a.dtype == "fp16" else np.float32
        if a.no_hf_check:
            print("  Hugging Face check skipped: --no-hf-check")
        elif transformers_available():
            try:
                hf = hf_check(a, m, tmp, a.dtype, kv_dtype)
            except ConversionError:
                raise
            except Exception as e:  # transformers could not load or run this checkpoint
                raise ConversionError(f"the Hugging Face check could not run ({type(e).__name__}: {e}); use a "
                                      f"transformers version that loads this checkpoint, or --no-hf-check") from e
            metrics.update(hf)
            print("  Hugging Face check: reference vs transformers max |Δ| logits {hfReferenceLogits:.2e}, hidden "
                  "{hfReferenceHidden:.2e}, attention {hfReferenceAttention:.2e}; bundle vs transformers logits "
                  "{hfBundleLogits:.2e}, hidden {hfBundleHidden:.2e}, attention {hfBundleAttention:.2e} "
                  "({hfPrefillTokens} prefill tokens)".format(**hf))
        else:
            print("  Hugging Face check skipped: transformers is not installed")
        metrics["convertSeconds"] = round(time.time() - t0, 2)
        man = build_manifest(a, m, special, template, image, graph_files, metrics, a.dtype, rule)
        man["hash"] = content_hash(tmp, hashed)
        with open(os.path.join(tmp, "latent-trace.json"), "w", encoding="utf-8") as f:
            json.dump(man, f, indent=2)
        for name in os.listdir(tmp):
            os.chmod(os.path.join(tmp, name), 0o644)  # onnx writes external data as 0600
        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return man, time.time() - t0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="Hugging Face checkpoint folder (config.json, safetensors, tokenizer)")
    p.add_argument("--family", required=True, choices=("llava", "qwen2_5_vl"))
    p.add_argument("--method", required=True, choices=("lare", "lvr", "direct"))
    p.add_argument("--out", required=True, help="bundle folder to write")
    p.add_argument("--dtype", default="fp32", choices=("fp32", "fp16"))
    p.add_argument("--extra", help="LaRe: safetensors with the Extractor and U-Net (training/README.md)")
    p.add_argument("--name", help="bundle name (default: the --out folder's name)")
    p.add_argument("--seed", type=int, default=0, help="seed of the check inputs")
    p.add_argument("--lvr-stop", choices=("latent", "steps", "end-token"),
                   help="LVR: default stop rule (default: generation_config's decoding_strategy, else latent when "
                        "the checkpoint has lvr_latent_end_emb)")
    p.add_argument("--lvr-criterion", choices=("mse", "mae", "cosine"), help="LVR latent rule (default mse)")
    p.add_argument("--lvr-threshold", type=float, help="LVR latent rule threshold (default 0.02)")
    p.add_argument("--lvr-max-steps", type=int, help="LVR: most latent steps (default 16)")
    p.add_argument("--lvr-steps", type=int, help="LVR: latent steps of the fixed rule (default 8)")
    p.add_argument("--no-hf-check", action="store_true",
                   help="skip the comparison with Hugging Face's model even when transformers is installed")
    p.add_argument("--external-data", action="store_true",
                   help="store the decoder and embedding weights as ONNX external data even when small")
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    try:
        man, seconds = convert(a)
    except (CheckpointError, ConversionError, ValueError) as e:
        print(f"convert_hf: {e}", file=sys.stderr)
        return 1
    print(f"wrote {a.out} ({man['family']}/{man['method']}, {man['model']['dtype']}, {seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
