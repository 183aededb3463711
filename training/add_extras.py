"""Re-exports a committed version 1 bundle's decoder with the optional `attention_heads` output and adds
the optional `lens` graph (final norm + unembedding), both from the PyTorch model bundle_model.py rebuilds
from the bundle's own weights; every other graph file stays byte for byte. The manifest gets
`graphs.lens` and the new content hash; the result is checked against PyTorch with onnxruntime-node
before it replaces the bundle (atomically, via a sibling temporary folder).

    training/.venv/bin/python training/add_extras.py models/lare-shapes [models/lvr-shapes ...]
"""
import json
import os
import shutil
import sys
import tempfile
import warnings

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bundle_model import BundleModelError, model_from_bundle  # noqa: E402
from export import OPSET, check_bundle, content_hash, graph_specs  # noqa: E402


def add_extras(folder):
    folder = os.path.abspath(folder)
    with open(os.path.join(folder, 'latent-trace.json')) as f:
        manifest = json.load(f)
    if manifest.get('formatVersion') != 1:
        raise BundleModelError(f'{folder}: only version 1 bundles are rebuilt here (convert_hf.py writes version 2 ones)')
    if 'lens' in manifest['graphs']:
        return {'bundle': folder, 'changed': False}
    model, _ = model_from_bundle(folder)
    parent = os.path.dirname(folder)
    tmp = tempfile.mkdtemp(prefix='.' + os.path.basename(folder) + '-', dir=parent)
    try:
        for name in os.listdir(folder):
            shutil.copy2(os.path.join(folder, name), os.path.join(tmp, name))
        for file, module, example, inputs, outputs, axes in graph_specs(model, extras=True):
            if file not in ('decoder.onnx', 'lens.onnx'):
                continue
            path = os.path.join(tmp, file)
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter('ignore')
                torch.onnx.export(module, example, path, input_names=inputs, output_names=outputs,
                                  dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)
            onnx.checker.check_model(onnx.load(path))
        manifest['graphs']['lens'] = 'lens.onnx'
        files = sorted(set(manifest['graphs'].values())) + [manifest['tokenizer']['file']]
        manifest['hash'] = content_hash(tmp, files)
        with open(os.path.join(tmp, 'latent-trace.json'), 'w') as f:
            json.dump(manifest, f, indent=2)
        report = check_bundle(model, tmp, extras=True)
        if not report or not report.get('ok', False):
            raise BundleModelError(f'{folder}: the re-exported graphs do not match PyTorch: {report}')
        old = tempfile.mkdtemp(prefix='.' + os.path.basename(folder) + '-old-', dir=parent)
        os.rename(folder, os.path.join(old, 'bundle'))
        os.rename(tmp, folder)
        shutil.rmtree(old)
        os.chmod(folder, 0o755)
        return {'bundle': folder, 'changed': True, 'hash': manifest['hash']}
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


if __name__ == '__main__':
    for f in sys.argv[1:]:
        print(json.dumps(add_extras(f)))
