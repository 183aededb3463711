"""Checks of the fine split's properties (docs/fidelity-task.md), run by smoke.py; each returns True or raises.

  python3 training/check_fine.py     (prints one line per check, exits 1 when any fails)

What they guard: the mark is below the resolution of the LLM's pooled view (the glyphs have one pixel count and
sit in one aligned pooling cell, so the coarse stem's visual tokens are exactly invariant to which mark it is,
while the window's local features change); the answers are balanced per type; an exported image carries several
questions with the documented fields.
"""
import collections
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
from model import LatentModel  # noqa: E402


def _check(cond, message):
    if not cond:
        raise AssertionError(message)


def glyphs_share_the_pooled_mean():
    """Every glyph has the same pixel count inside one FINE_POOL cell, so the cell's mean cannot tell them apart."""
    counts = {m: len(set(px)) for m, px in data._GLYPH_PIXELS.items()}
    _check(len(set(counts.values())) == 1, f'glyph pixel counts differ: {counts}')
    for m, px in data._GLYPH_PIXELS.items():
        _check(all(0 <= r < data.FINE_POOL and 0 <= c < data.FINE_POOL for r, c in px), f'{m} leaves its cell')
    _check(data.PATCH % data.FINE_POOL == 0, 'a pooling cell must lie inside one patch (one local feature)')
    return True


def mark_cells_are_aligned_and_inside(scenes=200, seed=3):
    """Every object's mark cell is aligned to the pooling grid and wholly inside the object."""
    rng = np.random.default_rng(seed)
    k = data.FINE_POOL
    for _ in range(scenes):
        for o in data.fine_layout(rng):
            x, y = o['cell']
            _check(x % k == 0 and y % k == 0, f'mark cell {o["cell"]} is not on the {k}-px grid')
            _check(bool(o['mask'][y:y + k, x:x + k].all()), f'mark cell {o["cell"]} leaves the object')
    return True


def pooled_image_does_not_see_the_mark(scenes=100, seed=4):
    """The same scene rendered with each mark: the FINE_POOL-pooled images agree to the pixel noise (the mark
    replaces noisy object pixels), while the full-resolution images differ by the mark's contrast."""
    rng = np.random.default_rng(seed)
    k = data.FINE_POOL
    pooled_gap, full_gap = 0.0, np.inf
    for _ in range(scenes):
        objects = data.fine_layout(rng)
        state = rng.bit_generator.state
        renders = []
        for mark in data.MARKS:
            for o in objects:
                o['mark'] = mark
            rng.bit_generator.state = state
            renders.append(data.render_fine(rng, objects)[0].astype(float))
        g = data.IMAGE_SIZE // k
        pooled = [r.reshape(g, k, g, k, 3).mean(axis=(1, 3)) for r in renders]
        for a in range(len(renders)):
            for b in range(a + 1, len(renders)):
                pooled_gap = max(pooled_gap, float(np.abs(pooled[a] - pooled[b]).mean(-1).max()))
                full_gap = min(full_gap, float(np.abs(renders[a] - renders[b]).mean(-1).max()))
    # one pooled value mixes 16 pixels: swapping which 4 of them are white moves it by the object's pixel noise / 4
    _check(pooled_gap < 6.0, f'the pooled view changes with the mark by {pooled_gap:.1f} levels')
    _check(full_gap > 100.0, f'the full-resolution image changes with the mark by only {full_gap:.1f} levels')
    return True


def coarse_tokens_are_blind_to_the_mark(seed=5):
    """In the model: rearranging the pixels inside one pooling cell (a different glyph, same mean) leaves
    visual_tokens exactly unchanged and changes local_features."""
    import train
    torch.manual_seed(seed)
    cfg = train.build_config('lare', True, {}, 'fine')
    _check(cfg.coarse_pool == data.FINE_POOL, f'coarse_pool {cfg.coarse_pool} != FINE_POOL {data.FINE_POOL}')
    model = LatentModel(cfg).eval()
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(1, 3, data.IMAGE_SIZE, data.IMAGE_SIZE, generator=g) * 2 - 1
    y = x.clone()
    k = data.FINE_POOL
    cell = y[:, :, 2 * k:3 * k, 5 * k:6 * k]
    y[:, :, 2 * k:3 * k, 5 * k:6 * k] = cell.flatten(2)[:, :, torch.randperm(k * k, generator=g)].view_as(cell)
    with torch.no_grad():
        vx, lx, _ = model.vision(x)
        vy, ly, _ = model.vision(y)
    _check(vx.shape == vy.shape == (1, cfg.visual_tokens, cfg.dim), f'visual_tokens shape {tuple(vx.shape)}')
    _check(torch.allclose(vx, vy, atol=1e-5, rtol=1e-5), f'visual tokens moved by {(vx - vy).abs().max():.2e}')
    _check(float((lx - ly).abs().max()) > 1e-3, 'local features did not see the rearranged cell')
    return True


def answers_balanced_per_type(per_type=400, seed=6, tolerance=0.07):
    """Training items of each type: every possible answer within `tolerance` of uniform."""
    rng = np.random.default_rng(seed)
    answers = {'mark': data.MARKS, 'mark_relation': data.MARKS,
               'mark_count': data.NUMBERS[:data.FINE_OBJECTS + 1], 'mark_same': ['yes', 'no']}
    for t in data.FINE_TYPES:
        seen = collections.Counter(data.generate_fine_item(rng, [t])['answer'] for _ in range(per_type))
        _check(set(seen) <= set(answers[t]), f'{t}: unexpected answers {set(seen) - set(answers[t])}')
        for a in answers[t]:
            f = seen[a] / per_type
            _check(abs(f - 1 / len(answers[t])) <= tolerance, f'{t}: answer {a!r} has frequency {f:.3f}')
    return True


def export_has_several_questions_per_image(images=24, seed=8):
    """An exported fine split: every image has at least two questions; single-target types carry `bbox` (one of
    the scene's `objects`), multi-target types none; held-out (one per image) cycles the types with balanced
    count/same answers."""
    with tempfile.TemporaryDirectory() as d:
        data.export_fine(d, images, seed)
        items = data.load_samples(os.path.join(d, 'fine.jsonl'))
        per_image = collections.Counter(it['image'] for it in items)
        _check(len(per_image) == images, f'{len(per_image)} images, expected {images}')
        _check(min(per_image.values()) >= 2, f'an image has {min(per_image.values())} question(s)')
        for it in items:
            _check(len(it['objects']) == data.FINE_OBJECTS, f'{it["image"]}: {len(it["objects"])} objects')
            single = it['type'] in ('mark', 'mark_relation')
            _check(('bbox' in it) == single, f'{it["type"]} item {"lacks" if single else "has"} a bbox')
            if single:
                _check(it['bbox'] in it['objects'], f'{it["image"]}: bbox {it["bbox"]} is not one of the objects')
        data.export_fine(d, 4 * images, seed, name='heldout', one_per_image=True)
        held = data.load_samples(os.path.join(d, 'heldout.jsonl'))
        _check(len(held) == 4 * images and len({it['image'] for it in held}) == 4 * images, 'one question per image')
        types = collections.Counter(it['type'] for it in held)
        _check(set(types.values()) == {images}, f'held-out types are not balanced: {dict(types)}')
        for t, n_answers in (('mark_count', data.FINE_OBJECTS + 1), ('mark_same', 2)):
            counts = collections.Counter(it['answer'] for it in held if it['type'] == t)
            _check(len(counts) == n_answers and max(counts.values()) - min(counts.values()) <= 1,
                   f'held-out {t} answers are not balanced: {dict(counts)}')
    return True


CHECKS = [glyphs_share_the_pooled_mean, mark_cells_are_aligned_and_inside, pooled_image_does_not_see_the_mark,
          coarse_tokens_are_blind_to_the_mark, answers_balanced_per_type, export_has_several_questions_per_image]


def main():
    failed = 0
    for fn in CHECKS:
        try:
            fn()
            print(f'ok   fine: {fn.__name__}')
        except AssertionError as e:
            failed += 1
            print(f'FAIL fine: {fn.__name__}: {e}')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
