"""The PyTorch model a committed bundle was exported from, rebuilt from the bundle's own ONNX weights, so the
PyTorch reference (bench_reference.py) needs no training checkpoint outside the repository.

The configuration comes from the manifest (and Config's defaults for what it does not record). The weights
are the graphs' initializers. torch.onnx.export names most of them after their parameters, but stores some
(a Linear's weight, transposed for MatMul) under generated names; those are found by exporting a freshly
initialised model of the same configuration the same way (the generated names are the same) and matching
each generated initializer to the parameter whose random values it holds. Parameters no graph holds (the
training-only heads) keep their initial values: the trace never uses them. The rebuilt model is then checked against the bundle on fresh inputs
with onnxruntime-node (export.check_bundle): a configuration or mapping that does not reproduce it is an error.

    training/.venv/bin/python training/bundle_model.py models/lare-shapes   # prints the check report
"""
import json
import os
import sys
import tempfile
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from export import OPSET, check_bundle, graph_specs  # noqa: E402
from model import Config, LatentModel  # noqa: E402


class BundleModelError(Exception):
    pass


def config_from_manifest(m):
    img, mod = m['image'], m['model']
    kw = dict(method=m['method'], image_size=img['size'], patch=img['patchSize'], dim=mod['hiddenSize'],
              layers=mod['layers'], heads=mod['heads'], vocab=mod['vocabSize'], max_positions=mod['maxPositions'])
    if mod.get('coarsePool'):
        kw['coarse_pool'] = mod['coarsePool']
    if m.get('prompt', {}).get('questionTemplates') == list(data.FINE_QUESTION_TEMPLATES):
        kw['split'] = 'fine'
    d = m.get('defaults', {})
    if 'latentSteps' in d and m['method'] != 'direct':
        kw['latent_steps'] = d['latentSteps']
    if 'maxLatentSteps' in d:
        kw['max_latent_steps'] = d['maxLatentSteps']
    if m['method'] == 'lare':
        kw['saliency_layers'] = tuple(m['saliency']['layers'])
        kw['window'], kw['stride'] = m['window']['size'], m['window']['stride']
        kw['extractor'] = m.get('extractor') is not None
        if m.get('extractor'):
            kw['extractor_layers'] = m['extractor']['layers']
            kw['state_layers'] = tuple(m['extractor']['stateLayers'])
    rec = m.get('reconstruction')
    if rec:
        s = rec['schedule']
        kw.update(beta_start=s['betaStart'], beta_end=s['betaEnd'], diffusion_steps=s['steps'],
                  sampler_steps=rec['samplerSteps'], clip_sample=rec['clipSample'])
    return Config(**kw)


def _initializers(path):
    import onnx
    from onnx import numpy_helper
    return [(t.name, numpy_helper.to_array(t)) for t in onnx.load(path).graph.initializer]


def _parameter_for(array, params):
    """(name, layout) of the parameter whose values `array` holds (as is, reshaped, or transposed), or None."""
    for name, p in params.items():
        if p.size != array.size:
            continue
        if np.array_equal(p.reshape(array.shape), array):
            return name, 'reshaped'
        if p.ndim == 2 and p.T.shape == array.shape and np.array_equal(p.T, array):
            return name, 'transposed'
    return None


def _as_parameter(value, layout, shape):
    return (value.T if layout == 'transposed' else value).reshape(shape)


def model_from_bundle(folder, check=True):
    manifest_path = os.path.join(folder, 'latent-trace.json')
    try:
        with open(manifest_path) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise BundleModelError(f'{manifest_path}: cannot read the manifest ({e})')
    cfg = config_from_manifest(manifest)
    torch.manual_seed(0)
    fresh = LatentModel(cfg).eval()
    with torch.no_grad():
        # distinct random values everywhere (a fresh norm's ones would be merged by the exporter)
        for p in fresh.parameters():
            p.copy_(torch.randn_like(p))
    params = {k: v.detach().numpy() for k, v in fresh.state_dict().items()}
    trained = {}
    with tempfile.TemporaryDirectory(prefix='bundle-model-') as tmp:
        # a bundle exported with the extras (attention_heads, lens) names its initializers in that layout
        for file, module, example, inputs, outputs, axes in graph_specs(fresh, extras='lens' in manifest['graphs']):
            bundle_file = os.path.join(folder, manifest['graphs'].get(file.split('.')[0], file))
            if not os.path.isfile(bundle_file):
                continue
            path = os.path.join(tmp, file)
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter('ignore')
                # the TorchScript exporter, which named the committed bundles' initializers
                torch.onnx.export(module, example, path, input_names=inputs, output_names=outputs,
                                  dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
            ours = dict(_initializers(path))
            for name, value in _initializers(bundle_file):
                if name in params:
                    key, layout = name, 'reshaped'
                else:
                    # a generated name: the fresh export's initializer of that name holds the parameter's values
                    found = _parameter_for(ours[name], params) if name in ours else None
                    if found is None:
                        continue  # a folded constant (masks, position tables), not a parameter
                    key, layout = found
                if params[key].size != value.size:
                    raise BundleModelError(f'{bundle_file}: initializer {name} has shape {list(value.shape)}, '
                                           f'the manifest\'s configuration gives {key} {list(params[key].shape)}')
                trained[key] = _as_parameter(value, layout, params[key].shape)
    state = fresh.state_dict()
    for key, value in trained.items():
        state[key] = torch.from_numpy(np.array(value)).to(state[key].dtype)
    fresh.load_state_dict(state)
    if check:
        report = check_bundle(fresh, folder)
        if not report or not report.get('ok', False):
            raise BundleModelError(f'{folder}: the rebuilt PyTorch model does not reproduce the bundle: {report}')
    return fresh, len(trained)


if __name__ == '__main__':
    model, n = model_from_bundle(sys.argv[1])
    print(json.dumps({'parameters_from_bundle': n, 'parameters': len(model.state_dict())}))
