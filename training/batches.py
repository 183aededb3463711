"""Training batches: seeded, generated on the fly in a worker process, reproducible from (seed, step)."""
import numpy as np
import torch

import data

TYPE_ID = {t: i for i, t in enumerate(data.QUESTION_TYPES + data.FINE_TYPES)}
FOCUS_SLOTS = 3  # one box per latent step (a fine-split count visits three objects)


def focus_boxes(item):
    """Per-latent-step boxes: relation questions look at the reference object first, then the target."""
    return item.get('focus', [item['bbox']])


def collate(items, prefix_length):
    b = len(items)
    pixels = torch.tensor(np.stack([it['image'] for it in items]), dtype=torch.float32).permute(0, 3, 1, 2)
    pixels = (pixels / 255.0 - 0.5) / 0.5
    q = [data.tokenize(it['question']) for it in items]
    r = [data.tokenize(it['rationale']) for it in items]
    qlen = max(len(x) for x in q)
    q_ids = torch.full((b, qlen), data.TOKEN_ID['<pad>'], dtype=torch.long)
    for i, x in enumerate(q):
        q_ids[i, qlen - len(x):] = torch.tensor(x)  # left-padded, see train.encode_prompt
    rlen = max(len(x) for x in r)
    r_ids = torch.full((b, rlen), data.TOKEN_ID['<pad>'], dtype=torch.long)
    for i, x in enumerate(r):
        r_ids[i, :len(x)] = torch.tensor(x)
    # focus[:, s]: latent step s's box (the last box repeats); target: the asked-about box (or union)
    focus = torch.zeros(b, FOCUS_SLOTS, data.GRID * data.GRID)
    centres = torch.zeros(b, FOCUS_SLOTS, 2)
    for i, it in enumerate(items):
        boxes = focus_boxes(it)
        for s in range(FOCUS_SLOTS):
            box = boxes[min(s, len(boxes) - 1)]
            focus[i, s] = torch.tensor(data.bbox_patch_mask(box))
            centres[i, s] = torch.tensor([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
    return {
        'pixels': pixels,
        'q_ids': q_ids,
        'q_len': torch.tensor([len(x) for x in q]),
        'answer': torch.tensor([data.TOKEN_ID[it['answer']] for it in items]),
        'r_ids': r_ids,
        'r_len': torch.tensor([len(x) for x in r]),
        'prefix_ids': r_ids[:, :prefix_length],
        'color_labels': torch.tensor(np.stack([it['color_labels'] for it in items])),
        'shape_labels': torch.tensor(np.stack([it['shape_labels'] for it in items])),
        'focus': focus,
        'target': torch.tensor(np.stack([data.bbox_patch_mask(it['bbox']) for it in items])),
        'mark_labels': torch.tensor(np.stack([it.get('mark_labels', np.zeros(data.GRID * data.GRID, np.int64))
                                              for it in items])),
        'centres': centres,
        'type': torch.tensor([TYPE_ID[it['type']] for it in items]),
    }


def curriculum(step, steps, warmup_fraction, split='shapes'):
    """One-object lookups first, then every type (relation questions weighted up: they are the hardest).
    The fine split starts on single-object mark questions, then weights its multi-hop types up."""
    if split == 'fine':
        if step < warmup_fraction * steps:
            return ['mark'], [1]
        return data.FINE_TYPES, [1, 1.3, 1.3, 1.2]
    if step < warmup_fraction * steps:
        return ['color', 'shape', 'exist'], [1, 1, 1]
    return data.QUESTION_TYPES, [1, 1, 1, 1.2, 1.6]


class BatchStream(torch.utils.data.IterableDataset):
    def __init__(self, seed, start_step, steps, batch, prefix_length, warmup_fraction, split='shapes'):
        self.seed, self.start, self.steps, self.batch = seed, start_step, steps, batch
        self.prefix_length, self.warmup, self.split = prefix_length, warmup_fraction, split

    def __iter__(self):
        generate = data.generate_fine_item if self.split == 'fine' else data.generate_item
        for step in range(self.start, self.steps):
            rng = np.random.default_rng([self.seed, step])
            types, weights = curriculum(step, self.steps, self.warmup, self.split)
            items = [generate(rng, types, weights) for _ in range(self.batch)]
            yield collate(items, self.prefix_length)


def loader(seed, start_step, steps, batch, prefix_length, warmup_fraction, workers=1, split='shapes'):
    ds = BatchStream(seed, start_step, steps, batch, prefix_length, warmup_fraction, split)
    # torch 2 refuses a prefetch_factor without worker processes.
    return torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers, prefetch_factor=4 if workers else None)
