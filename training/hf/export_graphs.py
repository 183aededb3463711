"""ONNX export of the version 2 graphs and their check in onnxruntime against the PyTorch reference.

Both exporters of torch 2.13 keep the sequence, past and patch axes symbolic here: TorchScript (`dynamo=False`,
`dynamic_axes`) and dynamo (`dynamic_shapes` with `Dim.AUTO`, opset 18) pass the same checks on the tiny Qwen
checkpoint. TorchScript is used because it exports these graphs 7-15× faster (vision 0.6 s vs 9.4 s, decoder
0.7 s vs 4.7 s) and is what export.py uses. Weights go to ONNX external data when a graph is large.
"""
import copy
import os
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import torch

from hf import graphs
from hf.qwen_vision import vision_indices

OPSET = 17
EXTERNAL_ABOVE = 256 * 1024 * 1024  # bytes of weights; the protobuf limit is 2 GB, external data is always allowed
FP32_ATOL = 1e-4
FP16_RTOL = 1e-2


class GraphSpec:
    def __init__(self, file, module, inputs, outputs, axes, example, cases, reference=None):
        self.file, self.module, self.inputs, self.outputs = file, module, inputs, outputs
        self.axes, self.example, self.cases = axes, example, cases
        self.reference = reference or module  # what the ONNX graph is compared with (fp32 for fp16 graphs)


def _decoder_case(c, gen, s, p, mrope, kv_dtype):
    emb = torch.randn(1, s, c.hidden, generator=gen) * 0.5
    pk = (torch.randn(c.layers, 1, c.kv_heads, p, c.head_dim, generator=gen) * 0.5).to(kv_dtype)
    pv = (torch.randn(c.layers, 1, c.kv_heads, p, c.head_dim, generator=gen) * 0.5).to(kv_dtype)
    case = [emb, pk, pv]
    if mrope:
        base = torch.arange(s) + p
        pos = torch.stack([base, base + torch.randint(0, 3, (s,), generator=gen), base + 1])
        case.append(pos.view(3, 1, s).to(torch.int64))
    return tuple(case)


def _dynamic_vision_case(m, gen, gh, gw):
    c = m.vision.c
    pv = torch.randn(gh * gw, c.patch_values, generator=gen)
    return (pv, *vision_indices(c, gh, gw))


def graph_specs(m, dtype, seed=0):
    """GraphSpecs for every graph of the bundle of loaded model `m`; dtype 'fp32' or 'fp16'."""
    gen = torch.Generator().manual_seed(seed)
    half = dtype == "fp16"

    def maybe_half(mod):
        return graphs.to_half(copy.deepcopy(mod)) if half else mod
    kv = torch.float16 if half else torch.float32
    c = m.text.c
    specs = []
    if m.family == "llava":
        v = m.vision
        px = lambda: (torch.randn(1, 3, v.image_size, v.image_size, generator=gen),)  # noqa: E731
        specs.append(GraphSpec("vision.onnx", graphs.FixedVisionGraph(maybe_half(v)), ["pixels"],
                               ["visual_tokens", "local_features"], {}, px(), [px(), px()],
                               graphs.FixedVisionGraph(v)))
    else:
        axes = {"pixel_values": {0: "patches"}, "rotary_pos_ids": {0: "patches"}, "window_index": {0: "units"},
                "window_seq_ids": {0: "patches"}, "visual_tokens": {1: "tokens"}, "local_features": {1: "tokens"}}
        cases = [_dynamic_vision_case(m, gen, gh, gw) for gh, gw in ((12, 8), (10, 6), (2, 2), (6, 14))]
        specs.append(GraphSpec("vision.onnx", graphs.DynamicVisionGraph(maybe_half(m.vision)),
                               ["pixel_values", "rotary_pos_ids", "window_index", "window_seq_ids"],
                               ["visual_tokens", "local_features"], axes, _dynamic_vision_case(m, gen, 8, 12),
                               cases, graphs.DynamicVisionGraph(m.vision)))
    ids = lambda s: (torch.randint(0, c.vocab, (1, s), generator=gen),)  # noqa: E731
    text = maybe_half(m.text)
    specs.append(GraphSpec("embed.onnx", graphs.EmbedGraph(text), ["input_ids"], ["embeddings"],
                           {"input_ids": {1: "seq"}, "embeddings": {1: "seq"}}, ids(5), [ids(1), ids(9)],
                           graphs.EmbedGraph(m.text)))
    mrope = c.mrope_section is not None
    inputs = ["inputs_embeds", "past_keys", "past_values"] + (["position_ids"] if mrope else [])
    outputs = ["logits", "last_hidden", "hidden_states", "attention", "present_keys", "present_values",
               "attention_heads"]
    axes = {"inputs_embeds": {1: "seq"}, "past_keys": {3: "past"}, "past_values": {3: "past"},
            "last_hidden": {1: "seq"}, "attention": {2: "total"}, "present_keys": {3: "total"},
            "present_values": {3: "total"}, "attention_heads": {2: "total"}}
    if mrope:
        axes["position_ids"] = {2: "seq"}
    cases = [_decoder_case(c, gen, s, p, mrope, kv) for s, p in ((7, 0), (1, 5), (3, 4))]
    specs.append(GraphSpec("decoder.onnx", graphs.DecoderGraph(text, mrope), inputs, outputs, axes,
                           _decoder_case(c, gen, 4, 3, mrope, kv), cases, graphs.DecoderGraph(m.text, mrope)))
    if m.lvr_head is not None:
        h = lambda s: (torch.randn(1, s, c.hidden, generator=gen),)  # noqa: E731
        specs.append(GraphSpec("lvr_head.onnx", graphs.LvrHeadGraph(maybe_half(m.lvr_head)), ["hidden"],
                               ["projected"], {"hidden": {1: "seq"}, "projected": {1: "seq"}}, h(2), [h(1), h(4)],
                               graphs.LvrHeadGraph(m.lvr_head)))
    if m.lare is not None:
        cfg, extractor, unet = m.lare
        w2 = cfg.window * cfg.window
        st = lambda: (torch.randn(1, len(cfg.state_layers), c.hidden, generator=gen),  # noqa: E731
                      torch.randn(1, w2, c.hidden, generator=gen))
        specs.append(GraphSpec("extractor.onnx", graphs.ExtractorGraph(extractor),
                               ["latent_state", "window_features"], ["latent_token", "cross_attention"], {},
                               st(), [st(), st()]))
        r = cfg.recon_size
        un = lambda b: (torch.randn(b, 3, r, r, generator=gen),  # noqa: E731
                        torch.randint(0, cfg.diffusion_steps, (b,), generator=gen).float(),
                        torch.randn(b, 1, c.hidden, generator=gen))
        specs.append(GraphSpec("unet.onnx", graphs.UNetGraph(unet), ["sample", "timestep", "condition"],
                               ["noise_pred"], {"sample": {0: "batch"}, "timestep": {0: "batch"},
                                                "condition": {0: "batch"}, "noise_pred": {0: "batch"}},
                               un(2), [un(1), un(3)]))
    return specs


def export_graph(spec, folder, external=False):
    """Writes spec.file (and its external data file when `external` or the weights are large) into folder;
    returns the files written."""
    path = os.path.join(folder, spec.file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad():
            torch.onnx.export(spec.module, spec.example, path, input_names=spec.inputs, output_names=spec.outputs,
                              dynamic_axes=spec.axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
    model = onnx.load(path)
    weight_bytes = sum(t.ByteSize() for t in model.graph.initializer)
    files = [spec.file]
    if external or weight_bytes > EXTERNAL_ABOVE:
        data = spec.file + ".data"
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data,
                        size_threshold=1024)
        files.append(data)
        onnx.checker.check_model(path)
    else:
        onnx.checker.check_model(model)
    return files


def _numpy(t):
    return t.detach().numpy() if t.dtype != torch.float16 else t.detach().float().numpy().astype(np.float16)


def check_graph(spec, folder, dtype):
    """Max abs difference per output over the cases; raises ValueError naming the graph and output if too large."""
    sess = ort.InferenceSession(os.path.join(folder, spec.file), providers=["CPUExecutionProvider"])
    worst = {}
    for case in spec.cases:
        feeds = {name: _numpy(x) for name, x in zip(spec.inputs, case)}
        got = sess.run(spec.outputs, feeds)
        ref_case = tuple(x.float() if x.dtype == torch.float16 else x for x in case)
        with torch.no_grad():
            want = spec.reference(*ref_case)
        if isinstance(want, torch.Tensor):
            want = (want,)
        for name, g, w in zip(spec.outputs, got, want):
            w = w.float().numpy()
            if tuple(g.shape) != tuple(w.shape):
                raise ValueError(f"{spec.file}: output {name} has shape {list(g.shape)}, reference {list(w.shape)}")
            err = float(np.abs(g.astype(np.float32) - w).max()) if w.size else 0.0
            scale = float(np.abs(w).max()) if w.size else 0.0
            if dtype == "fp16":
                bad = err > FP16_RTOL * max(scale, 1e-6)
            else:
                bad = err > FP32_ATOL
            if bad:
                raise ValueError(f"{spec.file}: output {name} differs from the PyTorch reference by {err:.3g} "
                                 f"(max |reference| {scale:.3g}; tolerance "
                                 f"{'1e-2 relative' if dtype == 'fp16' else '1e-4 absolute'})")
            worst[name] = max(worst.get(name, 0.0), err)
    return worst
