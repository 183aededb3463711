"""Seeded synthetic visual question answering task: coloured shapes on textured backgrounds.

Every item is (image, question, answer, rationale, bbox, type) plus dense per-patch colour/shape labels
that only training uses. The grammar and vocabulary are written down in training/README.md.

CLI: python3 training/data.py samples --out media/samples --count 300 --seed 7
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile

import numpy as np

IMAGE_SIZE = 64
PATCH = 8
GRID = IMAGE_SIZE // PATCH

COLORS = {
    'red': (220, 40, 40),
    'green': (40, 170, 60),
    'blue': (40, 80, 230),
    'yellow': (235, 215, 40),
    'purple': (150, 50, 190),
    'orange': (245, 140, 30),
}
COLOR_NAMES = list(COLORS)
SHAPES = ['circle', 'square', 'triangle']
PLURAL = {'circle': 'circles', 'square': 'squares', 'triangle': 'triangles'}
NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five']
DIRECTIONS = ['left', 'right', 'above', 'below']
QUESTION_TYPES = ['color', 'shape', 'exist', 'count', 'relation']

SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>', '<|latent_start|>', '<|latent_end|>',
                  '<|lvr_start|>', '<|lvr_end|>']
WORDS = (['what', 'color', 'shape', 'is', 'the', 'object', 'of', 'there', 'a', 'how', 'many', 'are',
          'no', 'yes', 'left', 'right', 'above', 'below', 'i', 'see', 'count', '?', '.']
         + COLOR_NAMES + SHAPES + list(PLURAL.values()) + NUMBERS)
VOCAB = SPECIAL_TOKENS + WORDS
TOKEN_ID = {w: i for i, w in enumerate(VOCAB)}
TOKEN_PATTERN = re.compile(r'\w+|[^\w\s]+')

def _slot(options):
    return '{' + '|'.join(options) + '}'


# Every question make_question can ask, as manifest prompt.questionTemplates ({a|b} = one of the words).
QUESTION_TEMPLATES = [
    f'what color is the {_slot(SHAPES)}?',
    f'what shape is the {_slot(COLOR_NAMES)} object?',
    f'is there a {_slot(COLOR_NAMES)} {_slot(SHAPES)}?',
    f'how many {_slot(PLURAL.values())} are there?',
    f'what color is the shape {_slot(["left", "right"])} of the {_slot(SHAPES)}?',
    f'what color is the shape {_slot(["above", "below"])} the {_slot(SHAPES)}?',
]

# Per-patch label classes (0 = background) for the dense auxiliary loss.
NUM_COLOR_CLASSES = len(COLOR_NAMES) + 1
NUM_SHAPE_CLASSES = len(SHAPES) + 1


def tokenize(text):
    """Lowercase + `\\w+|[^\\w\\s]+`, the same as tokenizer.json's Lowercase + Whitespace pre-tokenizer."""
    unk = TOKEN_ID['<unk>']
    return [TOKEN_ID.get(w, unk) for w in TOKEN_PATTERN.findall(text.lower())]


def detokenize(ids):
    return ' '.join(VOCAB[i] for i in ids if VOCAB[i] not in SPECIAL_TOKENS)


def _background(rng):
    """A muted, low-frequency colour field plus pixel noise, so objects are not on a flat colour."""
    base = rng.uniform(70, 150, size=3)
    coarse = rng.normal(0, 18, size=(4, 4, 3))
    up = np.kron(coarse, np.ones((IMAGE_SIZE // 4, IMAGE_SIZE // 4, 1)))
    # Smooth the block pattern with a box blur so it reads as texture, not as objects.
    k = 9
    pad = np.pad(up, ((k // 2, k // 2), (k // 2, k // 2), (0, 0)), mode='edge')
    cs = pad.cumsum(0).cumsum(1)
    cs = np.pad(cs, ((1, 0), (1, 0), (0, 0)))
    blur = (cs[k:, k:] - cs[:-k, k:] - cs[k:, :-k] + cs[:-k, :-k]) / (k * k)
    noise = rng.normal(0, 10, size=(IMAGE_SIZE, IMAGE_SIZE, 3))
    stripes = 6 * np.sin(np.arange(IMAGE_SIZE) * rng.uniform(0.3, 1.2) + rng.uniform(0, 6))[None, :, None]
    return base + blur + noise + stripes


def _mask(shape, cx, cy, r):
    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] + 0.5
    if shape == 'circle':
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
    if shape == 'square':
        s = r * 0.9
        return (np.abs(xx - cx) <= s) & (np.abs(yy - cy) <= s)
    # Upward triangle inscribed in the radius-r box.
    top, bottom = cy - r, cy + r
    inside_y = (yy >= top) & (yy <= bottom)
    half = (yy - top) / (2 * r) * r
    return inside_y & (np.abs(xx - cx) <= half)


def generate_scene(rng):
    """3-5 non-overlapping objects with radius 4-10 px; returns objects, the uint8 image and patch labels."""
    count = int(rng.integers(3, 6))
    objects = []
    attempts = 0
    while len(objects) < count and attempts < 200:
        attempts += 1
        r = float(rng.choice([4.0, 5.0, 6.0, 7.0, 8.0, 10.0]))
        cx, cy = rng.uniform(r + 1, IMAGE_SIZE - r - 1, size=2)
        if any(np.hypot(cx - o['cx'], cy - o['cy']) < r + o['r'] + 3 for o in objects):
            continue
        objects.append({'shape': SHAPES[int(rng.integers(3))], 'color': COLOR_NAMES[int(rng.integers(6))],
                        'cx': float(cx), 'cy': float(cy), 'r': r})
    image = _background(rng)
    color_px = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.int64)
    shape_px = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.int64)
    for o in objects:
        m = _mask(o['shape'], o['cx'], o['cy'], o['r'])
        rgb = np.array(COLORS[o['color']], float) + rng.normal(0, 12, size=3)
        image[m] = rgb + rng.normal(0, 6, size=(int(m.sum()), 3))
        color_px[m] = COLOR_NAMES.index(o['color']) + 1
        shape_px[m] = SHAPES.index(o['shape']) + 1
        ys, xs = np.nonzero(m)
        o['bbox'] = [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]
    image = np.clip(image, 0, 255).astype(np.uint8)
    return objects, image, _patch_labels(color_px, NUM_COLOR_CLASSES), _patch_labels(shape_px, NUM_SHAPE_CLASSES)


def _patch_labels(px, classes):
    """Majority non-background class of each patch when it covers at least 12% of it, else background."""
    blocks = px.reshape(GRID, PATCH, GRID, PATCH).transpose(0, 2, 1, 3).reshape(GRID * GRID, PATCH * PATCH)
    counts = np.stack([(blocks == c).sum(1) for c in range(1, classes)], 1)
    best = counts.argmax(1)
    return np.where(counts.max(1) >= 0.12 * PATCH * PATCH, best + 1, 0)


def _union(boxes):
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def _relation_target(objects, ref, direction):
    """The object nearest to `ref` on the given side, if it is clearly nearer than the next one."""
    def offset(o):
        return {'left': ref['cx'] - o['cx'], 'right': o['cx'] - ref['cx'],
                'above': ref['cy'] - o['cy'], 'below': o['cy'] - ref['cy']}[direction]
    def dist(o):
        return float(np.hypot(o['cx'] - ref['cx'], o['cy'] - ref['cy']))
    side = sorted((o for o in objects if o is not ref and offset(o) > 4), key=dist)
    if not side or (len(side) > 1 and dist(side[1]) - dist(side[0]) < 6):
        return None
    return side[0]


def make_question(rng, objects, qtype):
    """(question, answer, rationale, bbox[, focus boxes]) of `qtype`, or None when the scene cannot
    support it unambiguously."""
    shapes = [o['shape'] for o in objects]
    colors = [o['color'] for o in objects]
    if qtype == 'color':
        unique = [o for o in objects if shapes.count(o['shape']) == 1]
        if not unique:
            return None
        o = unique[int(rng.integers(len(unique)))]
        return (f"what color is the {o['shape']}?", o['color'], f"the {o['shape']} is {o['color']}.", o['bbox'])
    if qtype == 'shape':
        unique = [o for o in objects if colors.count(o['color']) == 1]
        if not unique:
            return None
        o = unique[int(rng.integers(len(unique)))]
        return (f"what shape is the {o['color']} object?", o['shape'],
                f"the {o['color']} object is a {o['shape']}.", o['bbox'])
    if qtype == 'exist':
        if rng.random() < 0.5:
            o = objects[int(rng.integers(len(objects)))]
            return (f"is there a {o['color']} {o['shape']}?", 'yes', f"i see a {o['color']} {o['shape']}.", o['bbox'])
        present = {(o['color'], o['shape']) for o in objects}
        # A hard negative: a present shape in a colour it does not have here, so the answer needs the object.
        o = objects[int(rng.integers(len(objects)))]
        options = [c for c in COLOR_NAMES if (c, o['shape']) not in present]
        if not options:
            return None
        c = options[int(rng.integers(len(options)))]
        return (f"is there a {c} {o['shape']}?", 'no', f"the {o['shape']} is {o['color']}.", o['bbox'])
    if qtype == 'count':
        s = SHAPES[int(rng.integers(3))]
        matches = [o for o in objects if o['shape'] == s]
        if not matches:
            return None
        n = len(matches)
        rationale = f"i count {NUMBERS[n]} {PLURAL[s] if n > 1 else s}."
        return (f"how many {PLURAL[s]} are there?", NUMBERS[n], rationale, _union([o['bbox'] for o in matches]))
    if qtype == 'relation':
        unique = [o for o in objects if shapes.count(o['shape']) == 1]
        if not unique:
            return None
        ref = unique[int(rng.integers(len(unique)))]
        direction = DIRECTIONS[int(rng.integers(4))]
        target = _relation_target(objects, ref, direction)
        if target is None:
            return None
        where = f"{direction} of the {ref['shape']}" if direction in ('left', 'right') else f"{direction} the {ref['shape']}"
        return (f"what color is the shape {where}?", target['color'],
                f"the {target['shape']} {where} is {target['color']}.", target['bbox'], [ref['bbox'], target['bbox']])
    raise ValueError(f'unknown question type {qtype!r}; expected one of {QUESTION_TYPES}')


def generate_item(rng, types=QUESTION_TYPES, weights=None):
    """Draw a type from `types`, then scenes until one supports a question of that type."""
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    qtype = types[int(rng.choice(len(types), p=p))]
    while True:
        objects, image, color_labels, shape_labels = generate_scene(rng)
        q = make_question(rng, objects, qtype)
        if q is None:
            continue
        question, answer, rationale, bbox = q[:4]
        # `focus`: the box each latent step should look at (relation: the reference object, then the target).
        focus = q[4] if len(q) > 4 else [bbox]
        return {'image': image, 'question': question, 'answer': answer, 'rationale': rationale,
                'bbox': bbox, 'focus': focus, 'type': qtype, 'color_labels': color_labels, 'shape_labels': shape_labels}


def bbox_patch_mask(bbox):
    """[GRID*GRID] float mask of the patches the pixel bbox [x0,y0,x1,y1] overlaps."""
    x0, y0, x1, y1 = bbox
    m = np.zeros((GRID, GRID), np.float32)
    m[y0 // PATCH:(y1 - 1) // PATCH + 1, x0 // PATCH:(x1 - 1) // PATCH + 1] = 1
    return m.reshape(-1)


def _write_png(path, image):
    from PIL import Image
    Image.fromarray(image).save(path)


def export_samples(out, count, seed):
    """Write `count` held-out items as samples.jsonl + images/NNNN.png into `out` (atomically replaced)."""
    if count <= 0:
        raise SystemExit(f'--count must be positive, got {count}')
    parent = os.path.dirname(os.path.abspath(out)) or '.'
    os.makedirs(parent, exist_ok=True)
    if not os.access(parent, os.W_OK):
        raise SystemExit(f'output folder {parent} is not writable')
    rng = np.random.default_rng(seed)
    tmp = tempfile.mkdtemp(prefix='.samples-', dir=parent)
    try:
        _write_samples(tmp, count, rng)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if os.path.exists(out):
        old = out.rstrip('/') + '.old'
        shutil.rmtree(old, ignore_errors=True)
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old)
    else:
        os.rename(tmp, out)


def _write_samples(tmp, count, rng):
    os.makedirs(os.path.join(tmp, 'images'))
    with open(os.path.join(tmp, 'samples.jsonl'), 'w') as f:
        for i in range(count):
            # Balanced types: the held-out split reports accuracy per type.
            item = generate_item(rng, types=[QUESTION_TYPES[i % len(QUESTION_TYPES)]])
            name = f'images/{i:04d}.png'
            _write_png(os.path.join(tmp, name), item['image'])
            f.write(json.dumps({'image': name, 'question': item['question'], 'answer': item['answer'],
                                'rationale': item['rationale'], 'bbox': item['bbox'], 'type': item['type']}) + '\n')


def load_samples(jsonl):
    """Items of a samples JSONL with their images as uint8 arrays."""
    from PIL import Image
    if not os.path.isfile(jsonl):
        raise SystemExit(f'samples file {jsonl} does not exist')
    base = os.path.dirname(os.path.abspath(jsonl))
    items = []
    with open(jsonl) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                item['image_path'] = os.path.join(base, item['image'])
                item['pixels'] = np.asarray(Image.open(item['image_path']).convert('RGB'))
            except (ValueError, KeyError, OSError) as e:
                raise SystemExit(f'{jsonl}:{n}: bad sample ({e})')
            if item['pixels'].shape != (IMAGE_SIZE, IMAGE_SIZE, 3):
                raise SystemExit(f"{jsonl}:{n}: image {item['image']} is {item['pixels'].shape}, expected "
                                 f'{IMAGE_SIZE}x{IMAGE_SIZE} RGB')
            items.append(item)
    return items


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('samples', help='export a held-out split as JSONL + PNG')
    s.add_argument('--out', required=True)
    s.add_argument('--count', type=int, default=300)
    s.add_argument('--seed', type=int, default=7)
    args = ap.parse_args(argv)
    if args.cmd == 'samples':
        export_samples(args.out, args.count, args.seed)


if __name__ == '__main__':
    sys.exit(main())
