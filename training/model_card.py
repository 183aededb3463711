"""Writes models/<name>/MODEL_CARD.md from a training run, its evaluation and its export report.

  python3 training/model_card.py --run training/runs/lare --stage1 training/runs/stage1 --bundle models/lare-shapes \
      --baseline training/runs/direct/eval/metrics.json [--ablation training/runs/lare-noextractor/eval/metrics.json] \
      [--split fine --samples media/samples/fine.jsonl] [--null-tests docs/fidelity-release/a-vs-b.json ...]

Reads <run>/final.pt, <run>/eval/metrics.json (+ reconstructions.png) and <run>/export.json; copies the
reconstruction PNG into the bundle folder (outside the content hash, which covers graphs and tokenizer only).
--null-tests takes reports of `latent-trace eval --compare --out` in which this bundle (by content hash) is one
of the two models, and states their paired tests and this model's pointing against both nulls.
"""
import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data import SPLITS  # noqa: E402

# the seed `data.py` draws each split's sample set with (media/samples/)
SAMPLE_SEEDS = {'shapes': 7, 'fine': 17}


def load_json(path, what):
    if not os.path.isfile(path):
        raise SystemExit(f'{what} {path} does not exist')
    with open(path) as f:
        return json.load(f)


def pct(x):
    return '–' if x is None else f'{100 * x:.1f}%'


def probe(m, name):
    seeds = m.get(f'probe_{name}_seeds')
    spread = f' [{100 * min(seeds):.1f}–{100 * max(seeds):.1f}]' if seeds else ''
    return pct(m.get(f'probe_{name}')) + spread


def num(x, digits=4):
    return '–' if x is None else f'{x:.{digits}f}'


def pvalue(p):
    return f'{p:.1e}' if p < 1e-3 else f'{p:.3f}'


def points(x):
    return f'{100 * x:+.1f}'


def load_test(path, manifest):
    """An `eval --compare` report in which this bundle is model A or B, as (report, side)."""
    r = load_json(path, 'paired-test report')
    if r.get('kind') != 'eval' or not isinstance(r.get('comparison'), dict):
        raise SystemExit(f'{path} is not a report of `latent-trace eval --compare` (no "comparison")')
    sides = [r['model'], r['comparison']['against']['model']]
    for side, model in zip('AB', sides):
        if model.get('hash') == manifest['hash']:
            return r, side
    found = ', '.join(f"{m.get('name')} {m.get('hash')}" for m in sides)
    raise SystemExit(f"{path}: neither of its models ({found}) is the bundle {manifest['name']} "
                     f"({manifest['hash']}): re-run it on the exported bundle")


def dataset_label(path):
    rel = os.path.relpath(path, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    return rel if not rel.startswith('..') else path


def null_tests(paths, manifest):
    """The card's section of paired accuracy tests and of pointing against both nulls, from CLI reports."""
    if not paths:
        return []
    tests = [(path, *load_test(path, manifest)) for path in paths]
    datasets = sorted({dataset_label(r['dataset']) for _, r, _ in tests})
    lines = [f"## Paired held-out tests (`latent-trace eval --compare`, `{'`, `'.join(datasets)}`)", '',
             'Both models answer the same items (greedy, bundle defaults). Accuracy: exact two-sided McNemar test on '
             'the discordant items; the difference with a paired bootstrap 95% CI. Null: the two models are equally '
             'accurate. Reports: ' + ', '.join(f'`{dataset_label(p)}`' for p, _, _ in tests) + '.', '',
             '| model A | model B | n | A | B | A only / B only | exact McNemar p | A − B, points [95% CI] |',
             '|---|---|---|---|---|---|---|---|']
    per_type = []
    for _, r, _ in tests:
        a, b = r['model']['name'], r['comparison']['against']['model']['name']
        c = r['comparison']['paired']
        ci = c['differenceCI']
        lines.append(f"| {a} | {b} | {c['n']} | {pct(c['accuracyA'])} | {pct(c['accuracyB'])} | {c['aOnly']} / {c['bOnly']} "
                     f"| {pvalue(c['mcnemarP'])} | {points(c['difference'])} [{points(ci[0])}, {points(ci[1])}] |")
        for t, q in sorted(r['comparison'].get('perType', {}).items()):
            qi = q['differenceCI']
            per_type.append(f"| {a} vs {b} | {t} | {q['n']} | {pct(q['accuracyA'])} | {pct(q['accuracyB'])} | "
                            f"{q['aOnly']} / {q['bOnly']} | {pvalue(q['mcnemarP'])} | {points(q['difference'])} "
                            f"[{points(qi[0])}, {points(qi[1])}] |")
    if per_type:
        lines += ['', 'Per question type (the same test on each type\'s items; not corrected for the number of types):', '',
                  '| pair | question type | n | A | B | A only / B only | exact McNemar p | A − B, points [95% CI] |',
                  '|---|---|---|---|---|---|---|---|', *per_type]
    own = next((r for _, r, side in tests if side == 'A' and r.get('pointing')), None)
    if own:
        pt = own['pointing']
        lines += ['', f"### Pointing against its nulls (`{dataset_label(own['dataset'])}`, {pt['n']} items with a single "
                      'target box)', '',
                  "A hit: the step's window contains the centre of the asked-about box (step 'any': at some step). Nulls, "
                  'per item: a uniformly random window (for "any", one per step), and a window on a random object of the '
                  "item's own scene (its `objects`). The p-value is one-sided (the model points more often than the "
                  'null), exact Poisson-binomial over the items\' null rates.', '',
                  '| question type | step | n | pointing | uniform-window null | random-object null | over random object, points | p (random object) |',
                  '|---|---|---|---|---|---|---|---|']
        groups = [('all', pt['rows'])] + sorted(pt.get('perType', {}).items())
        for t, rows in groups:
            for row in rows:
                u, o = row['uniform'], row.get('randomObject')
                lines.append(f"| {t} | {row['step']} | {row['n']} | {pct(row['rate'])} | {pct(u['expected'])} | "
                             f"{pct(o['expected']) if o else '–'} | {points(o['difference']) if o else '–'} | "
                             f"{pvalue(o['pGreater']) if o else '–'} |")
    return lines + ['']


def card(run, stage1, bundle, baseline, ablation, note, split='shapes', samples='media/samples/samples.jsonl', tests=()):
    ck = torch.load(os.path.join(run, 'final.pt'), map_location='cpu')
    st = torch.load(os.path.join(stage1, 'final.pt'), map_location='cpu')
    # Fine-tunes can chain (e.g. LaRe, then a reconstructor-only phase): follow `init` back to stage I.
    chain = [ck]
    while chain[0].get('init') and os.path.abspath(chain[0]['init']) != os.path.abspath(os.path.join(stage1, 'final.pt')):
        chain.insert(0, torch.load(chain[0]['init'], map_location='cpu'))
    tune_wall = sum(c['wall_time_s'] for c in chain)
    m = load_json(os.path.join(run, 'eval', 'metrics.json'), 'evaluation')
    manifest = load_json(os.path.join(bundle, 'latent-trace.json'), 'manifest')
    report = load_json(os.path.join(run, 'export.json'), 'export report')
    method = manifest['method']
    name = manifest['name']
    wall = tune_wall + st['wall_time_s']
    lines = [f'# {name}', '', manifest.get('description', ''), '',
             '## Provenance', '',
             '| | |', '|---|---|',
             f"| method | `{method}`{' (no Extractor)' if method == 'lare' and manifest.get('extractor') is None else ''} |",
             f"| parameters (shipped graphs) | {manifest['provenance'].get('parameters')} |",
             f"| stage I command | `{st['command']}` |",
             *[f"| fine-tune command{f' ({i + 1})' if len(chain) > 1 else ''} | `{c['command']}` |"
               for i, c in enumerate(chain)],
             f"| data seed | stage I {st['seed']}, fine-tune {' + '.join(str(c['seed']) for c in chain)} "
             f"(training stream `default_rng([seed, step])`); sample split seed {SAMPLE_SEEDS[split]} |",
             f"| steps | stage I {st['step']}, fine-tune {' + '.join(str(c['step']) for c in chain)} |",
             f"| wall time | {wall / 60:.1f} min on 2 shared CPU cores (stage I {st['wall_time_s'] / 60:.1f} + "
             f"fine-tune {tune_wall / 60:.1f}) |",
             f"| git revision at export | `{manifest['provenance']['gitRevision']}` |",
             f"| content hash | `{manifest['hash']}` |", '', *([note, ''] if note else []),
             f"## Sample-set results ({m['items']} items of `{samples}`, greedy, "
             f"T = {manifest['defaults']['latentSteps']}, fixed stop)", '',
             *(['Descriptive figures of the sample set shipped with the tool; its images carry several questions each, '
                'so its items are not independent. The tests of this model are in "Paired held-out tests" below.', '']
               if tests else []),
             f'| question type | this model | no-latent baseline (direct-{split}) |', '|---|---|---|',
             f"| **all** | **{pct(m['accuracy'])}** | {pct(baseline.get('accuracy') if baseline else None)} |"]
    for t in SPLITS[split]:
        lines.append(f"| {t} | {pct(m.get('accuracy_' + t))} | {pct(baseline.get('accuracy_' + t) if baseline else None)} |")
    if baseline:
        diff = 100 * (m['accuracy'] - baseline['accuracy'])
        se = 100 * (m['accuracy'] * (1 - m['accuracy']) / m['items']
                    + baseline['accuracy'] * (1 - baseline['accuracy']) / m['items']) ** 0.5
        lines += ['', f"Difference to the no-latent baseline: {diff:+.1f} points (standard error of the difference "
                      f"≈ {se:.1f} points on {m['items']} items).{' This model does not beat the baseline here.' if diff <= 0 else ''}"]
    lines += ['', f"First answer token's attention mass on the visual tokens (mean over layers): "
                  f"{num(m['first_answer_visual_attention'], 3)}"
                  + (f" (baseline {num(baseline['first_answer_visual_attention'], 3)})" if baseline else '') + '.', '']
    if 'pointing_any_step' in m:
        steps = [k for k in m if k.startswith('pointing_step')]
        lines += ['## Refocusing', '',
                  f"Pointing rate (the chosen window contains the centre of the asked-about box): "
                  f"**{pct(m['pointing_any_step'])} at some latent step** vs chance {pct(m['pointing_chance_any_step'])} "
                  f"for {len(steps)} uniformly random windows; per step "
                  + ', '.join(f"{k[len('pointing_'):]} {pct(m[k])}" for k in sorted(steps))
                  + f" (chance per step {pct(m['pointing_chance_one_window'])}).", '']
    if 'recon_mse' in m:
        shutil.copyfile(os.path.join(run, 'eval', 'reconstructions.png'), os.path.join(bundle, 'reconstructions.png'))
        clip = manifest['reconstruction'].get('clipSample', False)
        alt = m.get('recon_mse_noclip')
        lines += ['## Reconstruction', '',
                  f"DDIM ({manifest['reconstruction']['samplerSteps']} steps, fixed noise, x0 clamped to [-1,1]) of each "
                  f"step's {manifest['reconstruction']['size']}×{manifest['reconstruction']['size']} window from its latent token: MSE {num(m['recon_mse'])} vs {num(m['recon_mse_shuffled'])} "
                  'when every latent comes from a different item (shuffled-latent control), on [-1,1] pixels'
                  + (f"; without the clamp {num(alt)}" if alt is not None else '') + '. '
                  + f"The bundle's sampler setting is `clipSample: {str(clip).lower()}`.", '',
                  '![window crop | reconstruction | shuffled-latent control](reconstructions.png)', '',
                  'Columns: window crop, reconstruction from this step\'s latent, reconstruction from another item\'s latent.', '']
    if 'probe_text' in m:
        lines += ['## Probing sanity check', '',
                  f"Linear SVM (5-fold CV, folds grouped by item) on {m.get('probe_pairs', 600)} matched/mismatched pairs "
                  '(every item once matched, once with another item of its fold) of mean-max pooled latent tokens vs '
                  'the mean-max pooled LLM hidden states of the rationale text, or the visual tokens of the asked-about '
                  "box (appendix B's pooling); both sides through one fixed random projection to 256-d, L2 normalised; "
                  'the SVM sees u*v and |u-v|. Mean over 5 seeds (projection, folds, negatives), range in brackets:', '',
                  '| pair | this model |' + (' LaRe without Extractor |' if ablation else ''),
                  '|---|---|' + ('---|' if ablation else ''),
                  f"| latent–text | {probe(m, 'text')} |" + (f" {probe(ablation, 'text')} |" if ablation else ''),
                  f"| latent–visual | {probe(m, 'visual')} |" + (f" {probe(ablation, 'visual')} |" if ablation else ''),
                  '', 'Median distance between consecutive latent tokens: cosine '
                  f"{num(m.get('distance_cosine_median'))}, L1 {num(m.get('distance_l1_median'), 2)}, "
                  f"L2 {num(m.get('distance_l2_median'), 3)}.", '']
    lines += null_tests(tests, manifest)
    check = report.get('check') or {}
    worst = max(check.get('maxAbs', {}).values(), default=None)
    lines += ['## Export check', '',
              f"Every graph run in onnxruntime-node against PyTorch on fresh inputs: max abs difference "
              f"{'–' if worst is None else f'{worst:.1e}'} (tolerance 1e-4); tokenizer.json tokenizes like training/data.py.", '',
              '## Limitations', '',
              'Trained on 2 CPU cores shared with other work (wall time above), on a synthetic task only; the numbers '
              'above are what this checkpoint measures on the held-out split, not a claim about LaRe at scale.', '']
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--run', required=True)
    ap.add_argument('--stage1', required=True)
    ap.add_argument('--bundle', required=True)
    ap.add_argument('--baseline', help='metrics.json of the direct baseline')
    ap.add_argument('--ablation', help='metrics.json of LaRe without Extractor')
    ap.add_argument('--note', help='a paragraph added under the provenance table')
    ap.add_argument('--split', choices=sorted(SPLITS), default='shapes', help='the task the model was trained on')
    ap.add_argument('--samples', default='media/samples/samples.jsonl', help='the sample set metrics.json measured')
    ap.add_argument('--null-tests', nargs='+', default=[], metavar='REPORT',
                    help='reports of `latent-trace eval --compare --out` in which this bundle is one of the models')
    args = ap.parse_args(argv)
    for p in (os.path.join(args.run, 'final.pt'), os.path.join(args.stage1, 'final.pt')):
        if not os.path.isfile(p):
            raise SystemExit(f'checkpoint {p} does not exist')
    baseline = load_json(args.baseline, 'baseline metrics') if args.baseline else None
    ablation = load_json(args.ablation, 'ablation metrics') if args.ablation else None
    text = card(args.run, args.stage1, args.bundle, baseline, ablation, args.note, args.split, args.samples,
                args.null_tests)
    path = os.path.join(args.bundle, 'MODEL_CARD.md')
    with open(path + '.tmp', 'w') as f:
        f.write(text)
    os.replace(path + '.tmp', path)
    print(path)


if __name__ == '__main__':
    main()
