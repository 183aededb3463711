"""Export a checkpoint to the Latent Trace bundle format (docs/bundle-format.md).

  python3 training/export.py --checkpoint training/runs/lare/final.pt --out models/lare-shapes --name lare-shapes
  python3 training/export.py --untrained lare --tiny --seed 0 --out test/fixtures/golden/bundles/lare-tiny

Every graph is checked with onnx.checker and then run in onnxruntime-node (training/check_onnx.mjs)
against PyTorch on random inputs (max abs <= 1e-4) before the bundle is moved into place; the bundle is
written to a temporary folder next to --out and renamed, so --out is never half-written.
"""
import argparse
import datetime
import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from model import Config, LatentModel, count_parameters  # noqa: E402
from train import TINY, VARIANTS  # noqa: E402

OPSET = 17
# torch >= 2.9 exports with dynamo by default; these graphs are traced (dynamic_axes), as with torch 1.13,
# which has no `dynamo` argument.
TORCHSCRIPT = {'dynamo': False} if 'dynamo' in inspect.signature(torch.onnx.export).parameters else {}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-4


class VisionGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.vision = model.vision

    def forward(self, pixels):
        vis, local, _ = self.vision(pixels)
        return vis, local


class EmbedGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, input_ids):
        return self.decoder.embed(input_ids)


class DecoderGraph(torch.nn.Module):
    """With `heads`, also the optional `attention_heads` [L,H,P+S] (batch 1) of docs/bundle-format.md."""

    def __init__(self, model, heads=True):
        super().__init__()
        self.decoder = model.decoder
        self.heads = heads

    def forward(self, inputs_embeds, past_keys, past_values):
        out = self.decoder(inputs_embeds, past_keys, past_values, heads=self.heads)
        return out[:6] + (out[6][:, 0],) if self.heads else out


class LensGraph(torch.nn.Module):
    """The optional lens graph: hidden [1,K,D] -> logits [1,K,V] (final norm + unembedding)."""

    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, hidden):
        return self.decoder.lens(hidden)


class ExtractorGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.extractor = model.extractor

    def forward(self, latent_state, window_features):
        return self.extractor(latent_state, window_features)


class UNetGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.unet = model.unet

    def forward(self, sample, timestep, condition):
        return self.unet(sample, timestep, condition)


def graph_specs(model, extras=True):
    """(file, module, example inputs, input names, output names, dynamic axes) for every graph. `extras`
    adds the decoder's attention_heads and the lens graph; without them, the layout the bundles committed
    before them were exported with (bundle_model.py rebuilds those)."""
    cfg = model.cfg
    d, L, h, dh = cfg.dim, cfg.layers, cfg.heads, cfg.head_dim
    g = torch.Generator().manual_seed(123)
    specs = [
        ('vision.onnx', VisionGraph(model), (torch.randn(2, 3, cfg.image_size, cfg.image_size, generator=g),),
         ['pixels'], ['visual_tokens', 'local_features'],
         {'pixels': {0: 'B'}, 'visual_tokens': {0: 'B'}, 'local_features': {0: 'B'}}),
        ('embed.onnx', EmbedGraph(model), (torch.randint(0, cfg.vocab, (1, 5), generator=g),),
         ['input_ids'], ['embeddings'], {'input_ids': {0: 'B', 1: 'S'}, 'embeddings': {0: 'B', 1: 'S'}}),
        ('decoder.onnx', DecoderGraph(model, heads=extras),
         (torch.randn(1, 3, d, generator=g), torch.randn(L, 1, h, 4, dh, generator=g),
          torch.randn(L, 1, h, 4, dh, generator=g)),
         ['inputs_embeds', 'past_keys', 'past_values'],
         ['logits', 'last_hidden', 'hidden_states', 'attention', 'present_keys', 'present_values']
         + (['attention_heads'] if extras else []),
         {'inputs_embeds': {1: 'S'}, 'past_keys': {3: 'P'}, 'past_values': {3: 'P'}, 'logits': {1: 'S'},
          'last_hidden': {1: 'S'}, 'hidden_states': {2: 'S'}, 'attention': {2: 'PS'},
          'present_keys': {3: 'PS'}, 'present_values': {3: 'PS'},
          **({'attention_heads': {2: 'PS'}} if extras else {})}),
    ]
    if extras:
        specs.append(('lens.onnx', LensGraph(model), (torch.randn(1, 4, d, generator=g),), ['hidden'], ['logits'],
                      {'hidden': {1: 'K'}, 'logits': {1: 'K'}}))
    if model.extractor is not None:
        specs.append(('extractor.onnx', ExtractorGraph(model),
                      (torch.randn(1, len(cfg.state_layers), d, generator=g),
                       torch.randn(1, cfg.window * cfg.window, d, generator=g)),
                      ['latent_state', 'window_features'], ['latent_token', 'cross_attention'], {}))
    if model.unet is not None:
        r = cfg.recon_size
        specs.append(('unet.onnx', UNetGraph(model),
                      (torch.randn(3, 3, r, r, generator=g), torch.tensor([999.0, 500.0, 3.0]),
                       torch.randn(3, 1, d, generator=g)),
                      ['sample', 'timestep', 'condition'], ['noise_pred'],
                      {'sample': {0: 'B'}, 'timestep': {0: 'B'}, 'condition': {0: 'B'}, 'noise_pred': {0: 'B'}}))
    return specs


def check_cases(model, extras=True):
    """Inputs different from the export examples (other batch/sequence/past sizes, P = 0) and PyTorch outputs."""
    cfg = model.cfg
    d, L, h, dh = cfg.dim, cfg.layers, cfg.heads, cfg.head_dim
    g = torch.Generator().manual_seed(321)
    cases = {
        'vision.onnx': [(torch.randn(1, 3, cfg.image_size, cfg.image_size, generator=g),)],
        'embed.onnx': [(torch.randint(0, cfg.vocab, (1, 9), generator=g),)],
        'decoder.onnx': [(torch.randn(1, 7, d, generator=g), torch.zeros(L, 1, h, 0, dh), torch.zeros(L, 1, h, 0, dh)),
                         (torch.randn(1, 1, d, generator=g), torch.randn(L, 1, h, 11, dh, generator=g),
                          torch.randn(L, 1, h, 11, dh, generator=g))],
    }
    if extras:
        cases['lens.onnx'] = [(torch.randn(1, L + 1, d, generator=g),)]
    if model.extractor is not None:
        cases['extractor.onnx'] = [(torch.randn(1, len(cfg.state_layers), d, generator=g),
                                    torch.randn(1, cfg.window * cfg.window, d, generator=g))]
    if model.unet is not None:
        r = cfg.recon_size
        cases['unet.onnx'] = [(torch.randn(4, 3, r, r, generator=g), torch.tensor([0.0, 10.0, 420.0, 999.0]),
                               torch.randn(4, 1, d, generator=g))]
    return cases


def tensor_json(t):
    return {'dtype': 'int64' if t.dtype == torch.int64 else 'float32', 'shape': list(t.shape),
            'data': t.flatten().tolist()}


def tokenizer_json(vocab_size):
    """The WordLevel tokenizer of the first `vocab_size` ids (a shapes-split model ships no fine-split words)."""
    specials = [{'id': data.TOKEN_ID[t], 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                 'normalized': False, 'special': True} for t in data.SPECIAL_TOKENS]
    return {'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': specials,
            'normalizer': {'type': 'Lowercase'}, 'pre_tokenizer': {'type': 'Whitespace'}, 'post_processor': None,
            'decoder': None, 'model': {'type': 'WordLevel', 'vocab': {w: i for w, i in data.TOKEN_ID.items() if i < vocab_size}, 'unk_token': '<unk>'}}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def content_hash(folder, files):
    text = ''.join(f'{name}\n{sha256_file(os.path.join(folder, name))}\n' for name in sorted(files))
    return 'sha256:' + hashlib.sha256(text.encode('utf-8')).hexdigest()


def git_revision():
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def special_names(method):
    s = {'bos': '<bos>', 'eos': '<eos>', 'pad': '<pad>', 'unk': '<unk>'}
    if method == 'lare':
        s.update(latentStart='<|latent_start|>', latentEnd='<|latent_end|>')
    elif method == 'lvr':
        s.update(latentStart='<|lvr_start|>', latentEnd='<|lvr_end|>')
    return s


def manifest(model, name, version, description, provenance, defaults, files, roles=None):
    cfg = model.cfg
    special = special_names(cfg.method)
    template = ['<bos>', '{question}', '{image}'] + ([special['latentStart']] if cfg.method != 'direct' else [])
    m = {
        'format': 'latent-trace-bundle', 'formatVersion': 1, 'name': name, 'version': version,
        'method': cfg.method, 'description': description, 'hash': '', 'provenance': provenance,
        'image': {'size': cfg.image_size, 'mean': [0.5, 0.5, 0.5], 'std': [0.5, 0.5, 0.5], 'patchSize': cfg.patch,
                  'grid': {'rows': cfg.grid, 'cols': cfg.grid}},
        'tokenizer': {'file': 'tokenizer.json', 'special': special},
        'prompt': {'template': template, 'questionTemplates': list(data.FINE_QUESTION_TEMPLATES if cfg.split == 'fine'
                                                                    else data.QUESTION_TEMPLATES)},
        'model': {'hiddenSize': cfg.dim, 'layers': cfg.layers, 'heads': cfg.heads, 'headDim': cfg.head_dim,
                  'vocabSize': cfg.vocab, 'maxPositions': cfg.max_positions, 'visualTokens': cfg.visual_tokens},
        'graphs': files,
        'defaults': defaults,
    }
    if cfg.coarse_pool > 1:
        # the vision graph pools the image for the visual tokens (fine split); recorded so that bundle_model.py
        # can rebuild the PyTorch model from the bundle
        m['model']['coarsePool'] = cfg.coarse_pool
    # ablationOf / baselineFor: which model this bundle is the no-Extractor ablation or the baseline of
    for k, v in (roles or {}).items():
        if v:
            m[k] = v
    if cfg.method == 'lare':
        m['saliency'] = {'layers': list(cfg.saliency_layers)}
        m['window'] = {'size': cfg.window, 'stride': cfg.stride}
        m['extractor'] = ({'layers': cfg.extractor_layers, 'stateLayers': list(cfg.state_layers)}
                          if model.extractor is not None else None)
        m['reconstruction'] = {'channels': 3, 'size': cfg.recon_size,
                               'schedule': {'type': 'linear', 'betaStart': cfg.beta_start, 'betaEnd': cfg.beta_end,
                                            'steps': cfg.diffusion_steps},
                               'sampler': 'ddim', 'samplerSteps': cfg.sampler_steps,
                               'clipSample': cfg.clip_sample}
    return m


def default_settings(cfg, thresholds=None):
    d = {'latentSteps': cfg.latent_steps if cfg.method != 'direct' else 0, 'maxLatentSteps': cfg.max_latent_steps,
         'stop': 'fixed', 'thresholds': thresholds or {'cosine': 0.05, 'l1': 5.0, 'l2': 1.0}, 'maxAnswerTokens': 4}
    if cfg.method == 'lvr':
        d.update(lvrStop='fixed', lvrEndDistance=1.0)
    return d


def run_onnx_check(folder, cases_path):
    script = os.path.join(REPO, 'training', 'check_onnx.mjs')
    proc = subprocess.run(['node', script, folder, cases_path], capture_output=True, text=True,
                          env={**os.environ, 'ORT_DISABLE_TELEMETRY': '1'})
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f'onnxruntime check failed for {folder}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def export_bundle(model, out, name, version, description, provenance, defaults, check=True, roles=None):
    import onnx
    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        raise SystemExit(f'cannot create output folder {parent}: {e}')
    if not os.access(parent, os.W_OK):
        raise SystemExit(f'output folder {parent} is not writable')
    model.eval()
    tmp = tempfile.mkdtemp(prefix='.' + os.path.basename(out) + '-', dir=parent)
    try:
        files = {}
        for file, module, example, inputs, outputs, axes in graph_specs(model):
            path = os.path.join(tmp, file)
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter('ignore')  # tracer warnings about shape-dependent Python values
                torch.onnx.export(module, example, path, input_names=inputs, output_names=outputs,
                                  dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, **TORCHSCRIPT)
            onnx.checker.check_model(onnx.load(path))
            files[file.split('.')[0]] = file
        with open(os.path.join(tmp, 'tokenizer.json'), 'w') as f:
            json.dump(tokenizer_json(model.cfg.vocab), f, indent=1)
        m = manifest(model, name, version, description, provenance, defaults, files, roles)
        m['hash'] = content_hash(tmp, list(files.values()) + ['tokenizer.json'])
        with open(os.path.join(tmp, 'latent-trace.json'), 'w') as f:
            json.dump(m, f, indent=2)
        report = None
        if check:
            report = check_bundle(model, tmp)
        if os.path.exists(out):
            old = tempfile.mkdtemp(prefix='.' + os.path.basename(out) + '-old-', dir=parent)
            os.rename(out, os.path.join(old, 'bundle'))
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)
        os.chmod(out, 0o755)  # mkdtemp made it private
        return m, report
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_bundle(model, folder, extras=None):
    """PyTorch vs onnxruntime-node on fresh inputs; also the tokenizer against data.tokenize. `extras`
    (default: whether the bundle has a lens graph) checks attention_heads and the lens graph too."""
    if extras is None:
        with open(os.path.join(folder, 'latent-trace.json')) as f:
            extras = 'lens' in json.load(f)['graphs']
    cases = []
    specs = {s[0]: s for s in graph_specs(model, extras)}
    with torch.no_grad():
        for file, inputs_list in check_cases(model, extras).items():
            _, module, _, in_names, out_names, _ = specs[file]
            for inputs in inputs_list:
                outs = module(*inputs)
                outs = outs if isinstance(outs, tuple) else (outs,)
                cases.append({'graph': file, 'inputs': {k: tensor_json(v) for k, v in zip(in_names, inputs)},
                              'outputs': {k: tensor_json(v) for k, v in zip(out_names, outs)}})
    text = 'What color is the shape LEFT of the triangle?'
    payload = {'tolerance': TOLERANCE, 'cases': cases, 'tokenizer': {'text': text, 'ids': data.tokenize(text)}}
    fd, path = tempfile.mkstemp(suffix='.json', prefix='onnx-check-')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(payload, f)
        return run_onnx_check(folder, path)
    finally:
        os.remove(path)


def load_checkpoint(path):
    if not os.path.isfile(path):
        raise SystemExit(f'checkpoint {path} does not exist')
    try:
        ck = torch.load(path, map_location='cpu')
    except Exception as e:  # torch raises several unrelated types for a corrupt file
        raise SystemExit(f'checkpoint {path} cannot be read: {e}')
    if not isinstance(ck, dict) or 'model' not in ck or 'cfg' not in ck:
        raise SystemExit(f'checkpoint {path} is not a training checkpoint (needs "model" and "cfg")')
    model = LatentModel(Config.from_dict(ck['cfg']))
    model.load_state_dict(ck['model'])
    return model, ck


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint', help='final.pt of a training run')
    src.add_argument('--untrained', metavar='VARIANT', help='a seeded random init of this variant')
    ap.add_argument('--tiny', action='store_true')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', required=True)
    ap.add_argument('--name')
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--description', default='')
    ap.add_argument('--ablation-of', metavar='NAME', help='this bundle is NAME without its Extractor (manifest ablationOf)')
    ap.add_argument('--baseline-for', metavar='NAME', nargs='+', help='this bundle is the baseline of these models (manifest baselineFor)')
    ap.add_argument('--metrics', help='JSON file of held-out metrics to record in the provenance')
    ap.add_argument('--defaults', help='JSON file overriding manifest defaults (e.g. measured thresholds)')
    ap.add_argument('--no-check', action='store_true', help='skip the onnxruntime comparison')
    ap.add_argument('--unclipped', action='store_true', help='DDIM without clamping x0 (clipSample false)')
    ap.add_argument('--report', help='also write the hash and the onnxruntime comparison to this JSON file')
    args = ap.parse_args(argv)
    if args.untrained:
        if args.untrained not in VARIANTS or args.untrained == 'stage1':
            raise SystemExit(f'unknown variant {args.untrained!r}; expected one of '
                             f'{", ".join(v for v in VARIANTS if v != "stage1")}')
        torch.manual_seed(args.seed)
        d = dict(VARIANTS[args.untrained])
        if args.tiny:
            d.update(TINY)
        model = LatentModel(Config(**d))
        provenance = {'command': 'python3 training/export.py ' + ' '.join(argv if argv is not None else sys.argv[1:]),
                      'seed': args.seed}
    else:
        model, ck = load_checkpoint(args.checkpoint)
        provenance = {'command': ck.get('command', ''), 'seed': ck.get('seed', 0),
                      'wallTimeSeconds': round(float(ck.get('wall_time_s', 0)), 1)}
    if args.unclipped:
        model.cfg.clip_sample = False
    provenance.update(gitRevision=git_revision(),
                      trainedAt=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                      parameters=count_parameters(model))
    if args.metrics:
        with open(args.metrics) as f:
            provenance['metrics'] = {k: v for k, v in json.load(f).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    defaults = default_settings(model.cfg)
    if args.defaults:
        with open(args.defaults) as f:
            defaults.update(json.load(f))
    name = args.name or os.path.basename(os.path.abspath(args.out))
    m, report = export_bundle(model, args.out, name, args.version, args.description, provenance, defaults,
                              check=not args.no_check,
                              roles={'ablationOf': args.ablation_of, 'baselineFor': args.baseline_for})
    result = {'bundle': args.out, 'hash': m['hash'], 'check': report}
    if args.report:
        with open(args.report + '.tmp', 'w') as f:
            json.dump(result, f, indent=2)
        os.replace(args.report + '.tmp', args.report)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
