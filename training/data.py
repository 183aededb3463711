"""Seeded synthetic visual question answering task: coloured shapes on textured backgrounds.

Every item is (image, question, answer, rationale, bbox, type) plus dense per-patch colour/shape labels
that only training uses. The grammar and vocabulary are written down in training/README.md.

CLI: python3 training/data.py samples --out media/samples --count 300 --seed 7
     python3 training/data.py fine --out media/samples --images 60 --seed 17    (the 'fine' split, see
     docs/fidelity-task.md: fine.jsonl + images-fine/, several questions per image)
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

# The 'fine' split (docs/fidelity-task.md): every object carries a white 4-pixel mark inside a 4x4 cell aligned to
# the FINE_POOL grid. All glyphs have the same pixel count, so the cell's mean (what the LLM's FINE_POOL-pooled view
# keeps) does not depend on which mark it is; only full-resolution features can tell them apart.
FINE_POOL = 4
MARKS = ['dot', 'dash', 'bar', 'slash']
MARK_PLURAL = {'dot': 'dots', 'dash': 'dashes', 'bar': 'bars', 'slash': 'slashes'}
_GLYPH_PIXELS = {
    'dot': [(1, 1), (1, 2), (2, 1), (2, 2)],     # (row, col) inside the 4x4 cell
    'dash': [(1, 0), (1, 1), (1, 2), (1, 3)],
    'bar': [(0, 1), (1, 1), (2, 1), (3, 1)],
    'slash': [(0, 3), (1, 2), (2, 1), (3, 0)],
}
MARK_RGB = (245, 245, 245)
FINE_TYPES = ['mark', 'mark_relation', 'mark_count', 'mark_same']
FINE_OBJECTS = 3          # = the latent steps, so a count can visit every object once
FINE_RADII = [6.0, 7.0, 8.0]
SPLITS = {'shapes': QUESTION_TYPES, 'fine': FINE_TYPES}

SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>', '<|latent_start|>', '<|latent_end|>',
                  '<|lvr_start|>', '<|lvr_end|>']
WORDS = (['what', 'color', 'shape', 'is', 'the', 'object', 'of', 'there', 'a', 'how', 'many', 'are',
          'no', 'yes', 'left', 'right', 'above', 'below', 'i', 'see', 'count', '?', '.']
         + COLOR_NAMES + SHAPES + list(PLURAL.values()) + NUMBERS
         # the fine split's words come last, so every id of the shapes vocabulary is unchanged
         + ['mark', 'on', 'objects', 'have', 'has', 'do', 'and', 'same'] + MARKS + list(MARK_PLURAL.values()))
VOCAB = SPECIAL_TOKENS + WORDS
TOKEN_ID = {w: i for i, w in enumerate(VOCAB)}
TOKEN_PATTERN = re.compile(r'\w+|[^\w\s]+')

def _slot(options):
    return '{' + '|'.join(options) + '}'


# The shapes split's vocabulary size: bundles trained on it ship exactly these ids (export.tokenizer_json).
SHAPES_VOCAB_SIZE = VOCAB.index('mark')

# Every question make_question can ask, as manifest prompt.questionTemplates ({a|b} = one of the words).
QUESTION_TEMPLATES = [
    f'what color is the {_slot(SHAPES)}?',
    f'what shape is the {_slot(COLOR_NAMES)} object?',
    f'is there a {_slot(COLOR_NAMES)} {_slot(SHAPES)}?',
    f'how many {_slot(PLURAL.values())} are there?',
    f'what color is the shape {_slot(["left", "right"])} of the {_slot(SHAPES)}?',
    f'what color is the shape {_slot(["above", "below"])} the {_slot(SHAPES)}?',
]

# Every question make_fine_question can ask.
FINE_QUESTION_TEMPLATES = [
    f'what mark is on the {_slot(COLOR_NAMES)} object?',
    f'what mark is on the shape {_slot(["left", "right"])} of the {_slot(COLOR_NAMES)} object?',
    f'what mark is on the shape {_slot(["above", "below"])} the {_slot(COLOR_NAMES)} object?',
    f'how many objects have a {_slot(MARKS)}?',
    f'do the {_slot(COLOR_NAMES)} and {_slot(COLOR_NAMES)} objects have the same mark?',
]

# Per-patch label classes (0 = background) for the dense auxiliary loss.
NUM_COLOR_CLASSES = len(COLOR_NAMES) + 1
NUM_SHAPE_CLASSES = len(SHAPES) + 1
NUM_MARK_CLASSES = len(MARKS) + 1


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


def _mark_cell(mask, cx, cy):
    """Top-left (x, y) of the FINE_POOL-aligned FINE_POOL x FINE_POOL cell wholly inside `mask` nearest to the
    object's centre (so the window that covers the centre covers the mark), or None."""
    k = FINE_POOL
    g = IMAGE_SIZE // k
    inside = mask.reshape(g, k, g, k).all(axis=(1, 3))
    rows, cols = np.nonzero(inside)
    if len(rows) == 0:
        return None
    d = (cols * k + k / 2 - cx) ** 2 + (rows * k + k / 2 - cy) ** 2
    best = int(np.argmin(d))
    return int(cols[best] * k), int(rows[best] * k)


def fine_layout(rng):
    """FINE_OBJECTS non-overlapping objects (radius 6-8 px), each with its mark cell; marks not yet assigned."""
    while True:
        objects, attempts = [], 0
        while len(objects) < FINE_OBJECTS and attempts < 200:
            attempts += 1
            r = float(rng.choice(FINE_RADII))
            cx, cy = rng.uniform(r + 1, IMAGE_SIZE - r - 1, size=2)
            if any(np.hypot(cx - o['cx'], cy - o['cy']) < r + o['r'] + 3 for o in objects):
                continue
            shape = SHAPES[int(rng.integers(3))]
            m = _mask(shape, cx, cy, r)
            cell = _mark_cell(m, cx, cy)
            if cell is None:
                continue
            ys, xs = np.nonzero(m)
            objects.append({'shape': shape, 'color': COLOR_NAMES[int(rng.integers(6))], 'cx': float(cx),
                            'cy': float(cy), 'r': r, 'cell': cell, 'mask': m,
                            'bbox': [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]})
        if len(objects) == FINE_OBJECTS:
            return objects


def render_fine(rng, objects):
    """The uint8 image and per-patch colour/shape/mark labels of a marked layout (objects need 'mark')."""
    image = _background(rng)
    color_px = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.int64)
    shape_px = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.int64)
    mark_labels = np.zeros(GRID * GRID, np.int64)
    for o in objects:
        m = o['mask']
        rgb = np.array(COLORS[o['color']], float) + rng.normal(0, 12, size=3)
        image[m] = rgb + rng.normal(0, 6, size=(int(m.sum()), 3))
        x, y = o['cell']
        for dr, dc in _GLYPH_PIXELS[o['mark']]:
            image[y + dr, x + dc] = np.array(MARK_RGB, float) + rng.normal(0, 6, size=3)
        color_px[m] = COLOR_NAMES.index(o['color']) + 1
        shape_px[m] = SHAPES.index(o['shape']) + 1
        mark_labels[(y // PATCH) * GRID + x // PATCH] = MARKS.index(o['mark']) + 1
    image = np.clip(image, 0, 255).astype(np.uint8)
    return image, _patch_labels(color_px, NUM_COLOR_CLASSES), _patch_labels(shape_px, NUM_SHAPE_CLASSES), mark_labels


def _other_mark(rng, mark):
    options = [m for m in MARKS if m != mark]
    return options[int(rng.integers(len(options)))]


def _assign_marks(rng, objects, primary, hint):
    """Marks for the scene, drawn so that the primary question's answer is balanced: `hint` fixes it (a count
    0..FINE_OBJECTS for mark_count, 'yes'/'no' for mark_same), None draws it uniformly. Every object's mark stays
    uniform over MARKS marginally. Returns the primary question's parameters, or None when the layout cannot
    carry it (mark_same needs two objects of unique colours)."""
    for o in objects:
        o['mark'] = MARKS[int(rng.integers(len(MARKS)))]
    if primary == 'mark_count':
        n = int(rng.integers(FINE_OBJECTS + 1)) if hint is None else int(hint)
        mark = MARKS[int(rng.integers(len(MARKS)))]
        chosen = set(rng.permutation(len(objects))[:n].tolist())
        for i, o in enumerate(objects):
            o['mark'] = mark if i in chosen else _other_mark(rng, mark)
        return {'mark': mark}
    if primary == 'mark_same':
        colors = [o['color'] for o in objects]
        unique = [i for i, o in enumerate(objects) if colors.count(o['color']) == 1]
        if len(unique) < 2:
            return None
        i, j = (int(v) for v in rng.permutation(unique)[:2])
        same = (rng.random() < 0.5) if hint is None else hint == 'yes'
        objects[j]['mark'] = objects[i]['mark'] if same else _other_mark(rng, objects[i]['mark'])
        return {'pair': (i, j)}
    return {}


def make_fine_question(rng, objects, qtype, params=None):
    """{question, answer, rationale, bbox, focus, type} of `qtype` on a marked scene, or None when the scene cannot
    support it unambiguously. `bbox` is None for the multi-target types (mark_count, mark_same); `focus` lists the
    box each latent step should look at, in order."""
    params = params or {}
    colors = [o['color'] for o in objects]
    unique = [o for o in objects if colors.count(o['color']) == 1]
    if qtype == 'mark':
        if not unique:
            return None
        o = unique[int(rng.integers(len(unique)))]
        return {'question': f"what mark is on the {o['color']} object?", 'answer': o['mark'],
                'rationale': f"the {o['color']} object has a {o['mark']}.", 'bbox': o['bbox'], 'focus': [o['bbox']]}
    if qtype == 'mark_relation':
        if not unique:
            return None
        ref = unique[int(rng.integers(len(unique)))]
        direction = DIRECTIONS[int(rng.integers(4))]
        target = _relation_target(objects, ref, direction)
        if target is None:
            return None
        where = (f"{direction} of the {ref['color']} object" if direction in ('left', 'right')
                 else f"{direction} the {ref['color']} object")
        return {'question': f'what mark is on the shape {where}?', 'answer': target['mark'],
                'rationale': f"the {target['shape']} {where} has a {target['mark']}.", 'bbox': target['bbox'],
                'focus': [ref['bbox'], target['bbox']]}
    if qtype == 'mark_count':
        mark = params.get('mark') or MARKS[int(rng.integers(len(MARKS)))]
        n = sum(o['mark'] == mark for o in objects)
        # visiting order: left to right, one object per latent step
        order = sorted(objects, key=lambda o: o['cx'])
        return {'question': f'how many objects have a {mark}?', 'answer': NUMBERS[n],
                'rationale': f"i count {NUMBERS[n]} {mark if n == 1 else MARK_PLURAL[mark]}.", 'bbox': None,
                'focus': [o['bbox'] for o in order]}
    if qtype == 'mark_same':
        if 'pair' in params:
            a, b = (objects[k] for k in params['pair'])
        else:
            if len(unique) < 2:
                return None
            a, b = (unique[int(k)] for k in rng.permutation(len(unique))[:2])
        return {'question': f"do the {a['color']} and {b['color']} objects have the same mark?",
                'answer': 'yes' if a['mark'] == b['mark'] else 'no',
                'rationale': f"the {a['color']} object has a {a['mark']} and the {b['color']} object has a {b['mark']}.",
                'bbox': None, 'focus': [a['bbox'], b['bbox']]}
    raise ValueError(f'unknown fine question type {qtype!r}; expected one of {FINE_TYPES}')


def fine_scene(rng, primary, hint=None):
    """A marked scene drawn for its primary question: (objects, image, colour/shape/mark labels, question)."""
    while True:
        objects = fine_layout(rng)
        params = _assign_marks(rng, objects, primary, hint)
        if params is None:
            continue
        q = make_fine_question(rng, objects, primary, params)
        if q is None:
            continue
        image, color_labels, shape_labels, mark_labels = render_fine(rng, objects)
        return objects, image, (color_labels, shape_labels, mark_labels), dict(q, type=primary)


def _training_item(image, labels, q):
    """The training form of a fine question: `bbox` is the union of the focus boxes when there is no single target."""
    color_labels, shape_labels, mark_labels = labels
    return {'image': image, 'question': q['question'], 'answer': q['answer'], 'rationale': q['rationale'],
            'bbox': q['bbox'] or _union(q['focus']), 'focus': q['focus'], 'type': q['type'],
            'color_labels': color_labels, 'shape_labels': shape_labels, 'mark_labels': mark_labels}


def generate_fine_item(rng, types=FINE_TYPES, weights=None):
    """One fine-split training item: a type from `types`, a scene drawn for it."""
    p = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    qtype = types[int(rng.choice(len(types), p=p))]
    _, image, labels, q = fine_scene(rng, qtype)
    return _training_item(image, labels, q)


def fine_image_questions(rng, primary, hint=None):
    """A scene with its primary question plus a mark and a mark_relation question when the scene supports them
    (several questions per image: Table 6's "other question, same image" negatives)."""
    while True:
        objects, image, labels, q = fine_scene(rng, primary, hint)
        questions = [q]
        for extra in ('mark', 'mark_relation'):
            if extra == primary:
                continue
            e = make_fine_question(rng, objects, extra)
            if e is not None and e['question'] not in {x['question'] for x in questions}:
                questions.append(dict(e, type=extra))
        # a scene with no object of a unique colour has only its primary question: draw another
        if len(questions) >= 2:
            return objects, image, labels, questions


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


def _fine_lines(rng, images, one_per_image):
    """(image array, [dataset lines]) per image. One question per image cycles the four types with balanced
    answers (independent items for the paired test); otherwise a mark_count or mark_same question (answers
    cycled) plus the scene's mark and mark_relation questions."""
    for i in range(images):
        if one_per_image:
            primary = FINE_TYPES[i % len(FINE_TYPES)]
            k = i // len(FINE_TYPES)
        else:
            primary = ['mark_count', 'mark_same'][i % 2]
            k = i // 2
        hint = {'mark_count': k % (FINE_OBJECTS + 1), 'mark_same': ['yes', 'no'][k % 2]}.get(primary)
        if one_per_image:
            objects, image, _, q = fine_scene(rng, primary, hint)
            questions = [q]
        else:
            objects, image, _, questions = fine_image_questions(rng, primary, hint)
        lines = []
        for q in questions:
            line = {'question': q['question'], 'answer': q['answer'], 'rationale': q['rationale']}
            if q['bbox'] is not None:
                line['bbox'] = q['bbox']
            line['type'] = q['type']
            line['objects'] = [o['bbox'] for o in objects]
            lines.append(line)
        yield image, lines


def export_fine(out, images, seed, name='fine', one_per_image=False):
    """Write `images` scenes of the fine split as <out>/<name>.jsonl + <out>/images-<name>/NNNN.png, replacing
    only those two (the images folder atomically, then the JSONL by rename)."""
    if images <= 0:
        raise SystemExit(f'--images must be positive, got {images}')
    os.makedirs(out, exist_ok=True)
    if not os.access(out, os.W_OK):
        raise SystemExit(f'output folder {out} is not writable')
    folder = f'images-{name}'
    rng = np.random.default_rng(seed)
    tmp = tempfile.mkdtemp(prefix=f'.{folder}-', dir=out)
    jsonl = os.path.join(out, f'{name}.jsonl')
    try:
        with open(jsonl + '.tmp', 'w') as f:
            for i, (image, lines) in enumerate(_fine_lines(rng, images, one_per_image)):
                rel = f'{folder}/{i:04d}.png'
                _write_png(os.path.join(tmp, f'{i:04d}.png'), image)
                for line in lines:
                    f.write(json.dumps({'image': rel, **line}) + '\n')
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.exists(jsonl + '.tmp'):
            os.remove(jsonl + '.tmp')
        raise
    final = os.path.join(out, folder)
    if os.path.exists(final):
        shutil.rmtree(final)
    os.rename(tmp, final)
    os.replace(jsonl + '.tmp', jsonl)


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
    fn = sub.add_parser('fine', help='export the fine split (docs/fidelity-task.md) as <name>.jsonl + images-<name>/')
    fn.add_argument('--out', required=True)
    fn.add_argument('--images', type=int, default=60)
    fn.add_argument('--seed', type=int, default=17)
    fn.add_argument('--name', default='fine')
    fn.add_argument('--one-per-image', action='store_true',
                    help='one question per image (independent items for the paired held-out test)')
    args = ap.parse_args(argv)
    if args.cmd == 'samples':
        export_samples(args.out, args.count, args.seed)
    elif args.cmd == 'fine':
        export_fine(args.out, args.images, args.seed, args.name, args.one_per_image)


if __name__ == '__main__':
    sys.exit(main())
