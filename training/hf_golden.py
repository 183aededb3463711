"""Golden traces of converted Hugging Face bundles: the whole loop in the PyTorch reference (training/hf, no
transformers model), for the TypeScript engine to reproduce (test/parity/hf-golden.test.ts).

  python training/hf_golden.py <hf-dir> --family llava|qwen2_5_vl --method lare|lvr|direct [--extra <safetensors>] \
      --bundle <converted bundle> --image <png> --question "…" --out <golden.json>[:RULE] [--out …] \
      [--inputs <oracle.json>] [--noise-seed N] [--probe-latent]

The preprocessing and the prefill ids are Hugging Face's processor's (hf_check.hf_inputs, with the bundle's chat
suffix; or, with --inputs, the same values read from an hf_oracle.py fixture, which spares importing
transformers); vision, prefill, latent steps, latentEnd and the greedy answer run in training/hf/reference_loop.py.
RULE is the stop rule of that trace: fixed, LaRe's cosine|l1|l2 (its threshold placed by a probe run so that it
fires mid-trace, halfway between two observed distances so float noise cannot move the step), or LVR's latent
(the bundle's criterion and threshold; --probe-latent prints a threshold that fires mid-trace, for convert_hf.py).

Format: training/golden.py's (test/parity/golden.ts reads it), extended: `prefillIds` (the whole prefill, image
placeholder expanded), `stopReason`, `grid`, and tensors `position_ids` [3,S] (M-RoPE) and `latent_criterion`
(LVR's latent rule, one value per step that computed one). `settings.lvrThreshold` is the latent rule's threshold
the trace used; the bundle's manifest must carry the same.
"""
import argparse
import base64
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf.families import load_model, prefill_embeddings  # noqa: E402
from hf.hf_check import hf_inputs, reference_vision  # noqa: E402
from hf import reference_loop as loop  # noqa: E402


def entry(value):
    if isinstance(value, list) and value and (value[0] is None or isinstance(value[0], list)):
        rows = [[None, None, None] if r is None else r for r in value]
        return {"shape": [len(rows), 3], "data": [None if v is None or math.isnan(v) else v for r in rows for v in r]}
    if isinstance(value, list):
        value = torch.stack(value) if isinstance(value[0], torch.Tensor) else torch.tensor(value)
    t = value.detach().float()
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def midpoint(values):
    v = sorted(values)
    if len(v) < 2:
        raise SystemExit(f"an adaptive rule needs at least two observed values to place its threshold, got {v}")
    return 0.5 * (v[0] + v[1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--family", required=True, choices=("llava", "qwen2_5_vl"))
    p.add_argument("--method", required=True, choices=("lare", "lvr", "direct"))
    p.add_argument("--extra")
    p.add_argument("--bundle", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--question", required=True)
    p.add_argument("--out", action="append", default=[], metavar="GOLDEN[:RULE]",
                   help="a golden trace to write, with its stop rule: fixed (default), cosine, l1, l2 (LaRe's "
                        "adaptive rule, threshold placed mid-trace) or latent (LVR's rule, the bundle's threshold); "
                        "repeat for several traces of one run")
    p.add_argument("--probe-latent", action="store_true",
                   help="LVR: print a latent-rule threshold that fires mid-trace (for convert_hf.py --lvr-threshold) "
                        "and write nothing")
    p.add_argument("--inputs", metavar="ORACLE_JSON",
                   help="take the processor's prefill ids and pixel values from this hf_oracle.py fixture (written "
                        "with --pixel-values for the same image, question and method) instead of running the "
                        "processor, which needs transformers")
    p.add_argument("--noise-seed", type=int, default=0)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    from PIL import Image
    manifest_path = os.path.join(a.bundle, "latent-trace.json")
    if not os.path.isfile(manifest_path):
        raise SystemExit(f"{manifest_path} does not exist: convert the bundle first")
    with open(manifest_path, encoding="utf-8") as f:
        man = json.load(f)
    if man.get("formatVersion") != 2 or man.get("method") != a.method or man.get("family") != a.family:
        raise SystemExit(f"{manifest_path}: a format version 2 {a.family}/{a.method} bundle is needed, found version "
                         f"{man.get('formatVersion')} {man.get('family')}/{man.get('method')}")
    if man["model"]["dtype"] != "float32":
        raise SystemExit(f"{manifest_path}: golden traces are of float32 bundles, this one is {man['model']['dtype']}")
    if not a.out and not a.probe_latent:
        p.error("give at least one --out, or --probe-latent")
    cases = []
    for spec in a.out:
        path, _, rule = spec.partition(":")
        rule = rule or "fixed"
        allowed = {"lare": ("fixed", "cosine", "l1", "l2"), "lvr": ("fixed", "latent"), "direct": ("fixed",)}[a.method]
        if rule not in allowed:
            raise SystemExit(f"--out {spec}: rule {rule!r} does not apply to {a.method} (expected {', '.join(allowed)})")
        cases.append((path, rule))
    m = load_model(a.checkpoint, a.family, a.method, a.extra)
    check_manifest(m, man, manifest_path)

    if a.inputs:
        inputs = oracle_inputs(a.inputs, a.image, a.question, a.method)
    else:
        image = Image.open(a.image)
        image.load()
        inputs = hf_inputs(a.checkpoint, a.family, image, a.question, man["prompt"]["chat"]["suffix"])
    ids = inputs["input_ids"][0].tolist()
    offset = ids.index(m.image_token_id)
    with torch.no_grad():
        visual, positions = reference_vision(m, inputs)
        embeds = prefill_embeddings(m, ids, visual)
        prefill = loop.decoder_call(m, embeds, loop.empty_cache(m), positions)
    if a.family == "llava":
        grid = (m.vision.grid, m.vision.grid)
    else:
        _, gh, gw = (int(x) for x in inputs["image_grid_thw"][0])
        grid = (gh // m.vision.c.merge, gw // m.vision.c.merge)

    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(os.path.join(a.bundle, man["tokenizer"]["file"]))
    special = man["tokenizer"]["special"]
    d = man["defaults"]
    base = {"latentSteps": d["latentSteps"], "maxLatentSteps": d["maxLatentSteps"], "stop": "fixed", "threshold": 0.0,
            "maxAnswerTokens": d["maxAnswerTokens"], "eosId": tok.token_to_id(special["eos"])}
    if a.method != "direct":
        base["endId"] = tok.token_to_id(special["latentEnd"])
    if a.method == "lvr":
        lvr = man["lvr"]
        base.update(lvrStop="fixed", criterion=lvr["criterion"], lvrThreshold=lvr["threshold"],
                    saliencyLayers=(man.get("saliency") or {}).get("layers"))
    run = lambda rules: loop.run_trace(m, visual, grid, offset, *prefill, rules)  # noqa: E731
    if a.probe_latent:
        if a.method != "lvr":
            raise SystemExit("--probe-latent applies to --method lvr")
        probe = dict(base, lvrStop="latent", lvrThreshold=-1.0, maxLatentSteps=man["lvr"]["maxSteps"],
                     maxAnswerTokens=1)
        print(mid_trace_threshold(run(probe)[0]["latent_criterion"]))
        return
    for path, rule in cases:
        rules = dict(base)
        if a.method == "lare" and rule != "fixed":
            probe = dict(base, latentSteps=base["maxLatentSteps"], maxAnswerTokens=1)
            col = {"cosine": 0, "l1": 1, "l2": 2}[rule]
            rules.update(stop=rule, threshold=mid_trace_threshold([r[col] for r in run(probe)[0]["distances"][1:]]))
        if rule == "latent":
            rules.update(lvrStop="latent", maxLatentSteps=man["lvr"]["maxSteps"])
        rec, reason = run(rules)
        if rule != "fixed" and reason == "max-steps":
            raise SystemExit(f"{manifest_path}: the {rule} rule does not fire within {rules['maxLatentSteps']} steps"
                             + ("; convert with an --lvr-threshold that does (hf_golden.py --probe-latent prints one)"
                                if rule == "latent" else ""))
        write_golden(path, a, man, tok, inputs, ids, offset, grid, visual, positions, prefill[0], rules, rec, reason, m)


def oracle_inputs(path, image, question, method):
    """input_ids, pixel_values (and image_grid_thw) as the Hugging Face processor made them for hf_oracle.py."""
    with open(path, encoding="utf-8") as f:
        o = json.load(f)
    if o.get("format") != "latent-trace-hf-oracle" or "pixelValues" not in o:
        raise SystemExit(f"{path}: not an hf_oracle.py fixture written with --pixel-values")
    for what, want, got in (("image", os.path.basename(image), o["image"]["file"]), ("question", question, o["question"]),
                            ("method", method, o["method"])):
        if want != got:
            raise SystemExit(f"{path}: made for {what} {got!r}, not {want!r}")
    pv = o["pixelValues"]
    pixels = np.frombuffer(base64.b64decode(pv["data"]), dtype="<f4").reshape(pv["shape"])
    out = {"input_ids": torch.tensor([o["inputIds"]], dtype=torch.int64), "pixel_values": torch.from_numpy(pixels.copy())}
    if "imageGridThw" in o:
        out["image_grid_thw"] = torch.tensor([o["imageGridThw"]], dtype=torch.int64)
    return out


def mid_trace_threshold(values):
    """A threshold that first fires at the step of the smallest value before the last one, halfway between it and
    the nearest value that must not fire (an earlier one, or else the next larger), so float noise cannot move it.
    values[i] belongs to the (i+2)-th step (the first step has no distance)."""
    if len(values) < 2:
        raise SystemExit(f"placing a mid-trace threshold needs at least three steps, got {len(values) + 1}")
    k = min(range(len(values) - 1), key=lambda i: values[i])
    earlier = values[:k]
    upper = min(earlier) if earlier else min(v for i, v in enumerate(values) if i != k)
    if upper <= values[k]:
        raise SystemExit(f"no threshold separates step {k + 2} ({values[k]}) from the others ({values})")
    return 0.5 * (values[k] + upper)


def write_golden(path, a, man, tok, inputs, ids, offset, grid, visual, positions, prefill_out, rules, rec, reason, m):
    steps = len(rec.get("latent_tokens", []))
    tensors = {"pixels": inputs["pixel_values"], "visual_tokens": visual, "local_features": visual,
               "prefill_attention": prefill_out["attention"], "first_answer_attention": rec["first_answer_attention"]}
    if positions is not None:
        tensors["position_ids"] = positions[:, 0]
    for k in ("saliency", "latent_tokens", "window_scores", "cross_attention", "distances", "latent_criterion"):
        if rec.get(k):
            tensors[k] = rec[k]
    if a.method == "lare" and steps:
        cfg = m.lare[0]
        noise = torch.randn(steps, 3, cfg.recon_size, cfg.recon_size,
                            generator=torch.Generator().manual_seed(a.noise_seed))
        tensors["reconstruction_noise"] = noise
        tensors["reconstruction"] = loop.reconstruct(m, rec["latent_tokens"], noise)
    settings = {k: rules[k] for k in ("latentSteps", "maxLatentSteps", "stop", "threshold", "maxAnswerTokens")}
    if a.method == "lvr":
        settings.update(lvrStop=rules["lvrStop"], lvrThreshold=rules["lvrThreshold"])
    here = os.path.dirname(os.path.abspath(path))
    out = {
        "bundle": os.path.relpath(os.path.abspath(a.bundle), here),
        "bundleHash": man["hash"],
        "image": os.path.relpath(os.path.abspath(a.image), here),
        "question": a.question,
        "settings": settings,
        "inputIds": tok.encode(a.question, add_special_tokens=False).ids,
        "prefillIds": ids,
        "promptLength": len(ids),
        "visualStart": offset,
        "grid": {"rows": grid[0], "cols": grid[1]},
        "tensors": {k: entry(v) for k, v in tensors.items()},
        "windows": rec.get("windows", []),
        "answerIds": rec["answerIds"],
        "answerText": tok.decode(rec["answerIds"], skip_special_tokens=True),
        "stoppedAt": steps,
        "stopReason": reason,
        "noiseSeed": a.noise_seed,
    }
    os.makedirs(here, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(out, f)
    os.replace(path + ".tmp", path)
    print(json.dumps({"out": path, "stoppedAt": steps, "stopReason": reason, "windows": out["windows"],
                      "answerIds": rec["answerIds"][:8], "threshold": rules["threshold"],
                      "lvrThreshold": rules.get("lvrThreshold")}))


def check_manifest(m, man, where):
    """The loop reads its sizes from the reference's own config; the bundle must agree, or the comparison is moot."""
    if m.method != "lare":
        return
    cfg = m.lare[0]
    want = {"saliency.layers": list(cfg.saliency_layers), "extractor.stateLayers": list(cfg.state_layers),
            "window.size": cfg.window, "window.stride": cfg.stride}
    got = {"saliency.layers": man["saliency"]["layers"], "extractor.stateLayers": man["extractor"]["stateLayers"],
           "window.size": man["window"]["size"], "window.stride": man["window"]["stride"]}
    for k in want:
        if want[k] != got[k]:
            raise SystemExit(f"{where}: {k} is {got[k]}, the extra file says {want[k]}")


if __name__ == "__main__":
    main()
