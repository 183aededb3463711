"""Training pipeline smoke test, in one process to keep it fast: tiny config end to end.

Generates items, trains a few steps of every stage and variant (and resumes one), checks the batched
rollout against the batch-1 reference loop, exports every variant (onnx.checker + onnxruntime-node vs
PyTorch), writes a golden trace, evaluates, and checks that bad arguments fail with a clear message.
Writes {"passed", "failed"} to the path given as the only argument; exits 1 when any check failed.
"""
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_batching  # noqa: E402
import check_fine  # noqa: E402
import data  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
import golden  # noqa: E402
import model_card  # noqa: E402
import paired_eval  # noqa: E402
import train  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VARIANTS = ['direct', 'lare', 'lare-noextractor', 'lvr']


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def run(self, name, fn):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                result = fn()
            if result is False:
                raise AssertionError('check returned False')
            self.passed += 1
            print(f'ok   {name}', flush=True)
        except BaseException as e:  # SystemExit from the CLIs counts as a failure here
            self.failed += 1
            print(f'FAIL {name}: {e!r}\n{out.getvalue()[-2000:]}{traceback.format_exc(limit=3)}', flush=True)

    def fails_with(self, name, pattern, fn):
        def expect():
            err = io.StringIO()
            try:
                with contextlib.redirect_stderr(err):
                    fn()
            except SystemExit as e:
                if e.code in (0, None):
                    raise AssertionError('exited 0')
                if pattern not in str(e.code) and pattern not in err.getvalue():
                    raise AssertionError(f'message {e.code!r} does not mention {pattern!r}')
                return True
            raise AssertionError('did not fail')
        self.run(name, expect)


def fine_bundle_ok(folder):
    m = json.load(open(os.path.join(folder, 'latent-trace.json')))
    vocab = json.load(open(os.path.join(folder, 'tokenizer.json')))['model']['vocab']
    return (m['model']['vocabSize'] == len(vocab) == len(data.VOCAB) and 'dot' in vocab
            and m['prompt']['questionTemplates'] == data.FINE_QUESTION_TEMPLATES)


def main():
    counts_path = sys.argv[1]
    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix='smoke-', dir=os.path.join(REPO, '.tmp'))
    c = Checks()
    try:
        runs = os.path.join(work, 'runs')

        def tr(variant, *extra):
            train.main([variant, '--tiny', '--batch', '4', '--steps', '2', '--workers', '0', '--log-every', '1',
                        '--run-dir', os.path.join(runs, variant), *extra])

        samples = os.path.join(work, 'samples')
        c.run('generate samples', lambda: data.export_samples(samples, 10, 5))
        c.run('samples load back', lambda: len(data.load_samples(os.path.join(samples, 'samples.jsonl'))) == 10)
        c.run('train stage1', lambda: tr('stage1', '--steps', '3'))
        init = os.path.join(runs, 'stage1', 'final.pt')
        for v in VARIANTS:
            c.run(f'train {v}', lambda v=v: tr(v, '--init', init))
        c.run('resume continues from the checkpoint', lambda: tr('lare', '--steps', '3', '--init', init))
        c.run('resumed run reached step 3',
              lambda: torch.load(os.path.join(runs, 'lare', 'final.pt'))['step'] == 3)
        c.run('train the reconstructor-only phase', lambda: train.main([
            'lare', '--unet-only', '--tiny', '--batch', '4', '--steps', '2', '--workers', '0', '--log-every', '1',
            '--init', os.path.join(runs, 'lare', 'final.pt'), '--run-dir', os.path.join(runs, 'lare-unet')]))
        c.run('batched rollout equals the batch-1 reference', lambda: check_batching.max_difference() < 1e-5)
        for fn in check_fine.CHECKS:
            c.run(f'fine split: {fn.__name__}', fn)
        fine_init = os.path.join(runs, 'fine-stage1', 'final.pt')
        c.run('train stage1 on the fine split', lambda: tr('stage1', '--split', 'fine', '--run-dir',
                                                           os.path.join(runs, 'fine-stage1')))
        c.run('train lare on the fine split', lambda: tr('lare', '--split', 'fine', '--init', fine_init,
                                                         '--run-dir', os.path.join(runs, 'fine-lare')))
        c.fails_with('a fine-split init for a shapes run is rejected', 'fine split',
                     lambda: tr('direct', '--init', fine_init, '--run-dir', os.path.join(runs, 'mixed')))
        bundles = os.path.join(work, 'bundles')
        for v in VARIANTS:
            c.run(f'export {v} + onnxruntime parity', lambda v=v: export.main(
                ['--checkpoint', os.path.join(runs, v, 'final.pt'), '--out', os.path.join(bundles, v)]))
        c.run('export lare (fine split: pooled LLM view) + onnxruntime parity', lambda: export.main(
            ['--checkpoint', os.path.join(runs, 'fine-lare', 'final.pt'), '--out', os.path.join(bundles, 'fine-lare'),
             '--report', os.path.join(runs, 'fine-lare', 'export.json')]))
        c.run('fine bundle ships the fine vocabulary and templates', lambda: fine_bundle_ok(os.path.join(bundles, 'fine-lare')))
        c.run('shapes bundle ships only the shapes vocabulary', lambda: len(json.load(open(os.path.join(
            bundles, 'lare', 'tokenizer.json')))['model']['vocab']) == data.SHAPES_VOCAB_SIZE)
        c.run('golden trace', lambda: golden.main([
            '--checkpoint', os.path.join(runs, 'lare', 'final.pt'), '--bundle', os.path.join(bundles, 'lare'),
            '--image', os.path.join(REPO, 'test/fixtures/golden/images/color.png'),
            '--question', 'what color is the square?', '--case', 'smoke', '--stop', 'cosine',
            '--out-dir', os.path.join(work, 'golden')]))
        c.run('golden has the documented fields', lambda: {'bundle', 'image', 'question', 'settings', 'inputIds',
                                                           'promptLength', 'tensors', 'windows', 'answerIds',
                                                           'answerText', 'stoppedAt'}
              <= set(json.load(open(os.path.join(work, 'golden', 'smoke.json')))))
        c.run('evaluate', lambda: evaluate.main(['--checkpoint', os.path.join(runs, 'lare', 'final.pt'),
                                                 '--samples', os.path.join(samples, 'samples.jsonl'),
                                                 '--out', os.path.join(work, 'eval')]))
        fine_samples = os.path.join(work, 'fine-samples')
        c.run('evaluate a fine-split model on items with and without a bbox', lambda: (
            data.export_fine(fine_samples, 6, 5),
            evaluate.main(['--checkpoint', os.path.join(runs, 'fine-lare', 'final.pt'),
                           '--samples', os.path.join(fine_samples, 'fine.jsonl'), '--out', os.path.join(work, 'fine-eval')]),
            'pointing_any_step' in json.load(open(os.path.join(work, 'fine-eval', 'metrics.json'))))[-1])
        fine_bundle = os.path.join(bundles, 'fine-lare')

        def paired_report(name, model_hash):
            paired = {'n': 4, 'accuracyA': 0.75, 'accuracyB': 0.25, 'aOnly': 2, 'bOnly': 0, 'mcnemarP': 0.5,
                      'difference': 0.5, 'differenceCI': [0.0, 1.0]}
            null = {'n': 2, 'hits': 2, 'rate': 1.0, 'expected': 0.3, 'difference': 0.7, 'p': 0.09, 'pGreater': 0.09}
            report = {'kind': 'eval', 'dataset': os.path.join(fine_samples, 'fine.jsonl'), 'n': 4,
                      'model': {'name': 'fine-lare', 'hash': model_hash},
                      'pointing': {'n': 2, 'rows': [{'step': 'any', 'n': 2, 'rate': 1.0, 'uniform': null,
                                                     'randomObject': null}], 'perType': {}},
                      'comparison': {'against': {'model': {'name': 'baseline', 'hash': 'sha256:0'}},
                                     'paired': paired, 'perType': {'mark': paired}}}
            path = os.path.join(work, name)
            with open(path, 'w') as f:
                json.dump(report, f)
            return path

        def fine_card(*tests):
            shutil.copytree(os.path.join(work, 'fine-eval'), os.path.join(runs, 'fine-lare', 'eval'), dirs_exist_ok=True)
            model_card.main(['--run', os.path.join(runs, 'fine-lare'), '--stage1', os.path.join(runs, 'fine-stage1'),
                             '--bundle', fine_bundle, '--split', 'fine', '--samples', 'media/samples/fine.jsonl',
                             '--null-tests', *tests])
            return open(os.path.join(fine_bundle, 'MODEL_CARD.md')).read()

        own_hash = lambda: json.load(open(os.path.join(fine_bundle, 'latent-trace.json')))['hash']  # noqa: E731
        c.run('model card of a fine bundle states its paired test and pointing against both nulls', lambda: all(
            x in fine_card(paired_report('ok.json', own_hash()))
            for x in ('| fine-lare | baseline | 4 | 75.0% | 25.0% | 2 / 0 | 0.500 | +50.0 [+0.0, +100.0] |',
                      '| mark_relation |', '| all | any | 2 | 100.0% | 30.0% | 30.0% | +70.0 | 0.090 |')))
        c.fails_with('a paired report of another bundle is refused by the model card', 're-run it on the exported bundle',
                     lambda: fine_card(paired_report('other.json', 'sha256:1')))
        rng = np.random.default_rng(0)
        base = rng.normal(size=(300, 64))
        c.run('probe finds a shared signal', lambda: evaluate.linear_probe(base, base + 0.5 * rng.normal(size=base.shape)) > 0.9)
        c.run('probe finds none in unrelated features',
              lambda: abs(evaluate.linear_probe(base, rng.normal(size=base.shape)) - 0.5) < 0.1)
        c.run('evaluation wrote metrics', lambda: 'accuracy' in json.load(open(os.path.join(work, 'eval', 'metrics.json'))))

        # 8 vs 2 discordant pairs: p = 2 * (C(10,0) + C(10,1) + C(10,2)) / 2**10 = 0.109375
        pa = np.array([1] * 8 + [0] * 2 + [1] * 5 + [0] * 5, bool)
        pb = np.array([0] * 8 + [1] * 2 + [1] * 5 + [0] * 5, bool)
        c.run('paired exact McNemar', lambda: (lambda r: (r['a_only'], r['b_only'], r['n']) == (8, 2, 20)
                                               and abs(r['p_exact_mcnemar'] - 0.109375) < 1e-12)(paired_eval.mcnemar(pa, pb)))
        cfg = train.build_config('lare', False, {}, 'fine')
        c.run('random-object null window covers each object centre', lambda: all(
            evaluate.window_contains(cfg, paired_eval.object_window(cfg, o), evaluate.centre(o))
            for it in data.load_samples(os.path.join(REPO, 'media/samples/fine.jsonl')) for o in it['objects']))
        c.fails_with('unknown variant is rejected', 'unknown variant',
                     lambda: train.main(['bogus', '--run-dir', os.path.join(runs, 'bogus')]))
        c.fails_with('missing init checkpoint is rejected', 'does not exist',
                     lambda: tr('lare', '--init', os.path.join(work, 'nope.pt'), '--run-dir', os.path.join(runs, 'x')))
        c.fails_with('missing checkpoint is rejected', 'does not exist',
                     lambda: export.main(['--checkpoint', os.path.join(work, 'nope.pt'), '--out', os.path.join(work, 'b')]))
        c.fails_with('unknown export variant is rejected', 'unknown variant',
                     lambda: export.main(['--untrained', 'bogus', '--out', os.path.join(work, 'b')]))
        blocker = os.path.join(work, 'file')
        open(blocker, 'w').close()  # a file where a folder must be: unwritable even for root
        c.fails_with('unwritable output is rejected', 'output folder',
                     lambda: export.main(['--untrained', 'lare', '--tiny', '--no-check',
                                          '--out', os.path.join(blocker, 'bundle')]))
        c.run('no half-written bundle left',
              lambda: not [n for n in os.listdir(bundles) + os.listdir(work) if n.startswith('.')])
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with open(counts_path + '.tmp', 'w') as f:
            json.dump({'passed': c.passed, 'failed': c.failed}, f)
        os.replace(counts_path + '.tmp', counts_path)
    print(f'smoke: {c.passed} passed, {c.failed} failed')
    sys.exit(0 if c.failed == 0 else 1)


if __name__ == '__main__':
    main()
