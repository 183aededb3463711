"""Training batches: seeded, generated on the fly in a worker process, reproducible from (seed, step)."""
import numpy as np
import torch

import data

TYPE_ID = {t: i for i, t in enumerate(data.QUESTION_TYPES)}


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
    focus = torch.zeros(b, 2, data.GRID * data.GRID)
    centres = torch.zeros(b, 2, 2)
    for i, it in enumerate(items):
        boxes = focus_boxes(it)
        for s in range(2):
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
        'centres': centres,
        'type': torch.tensor([TYPE_ID[it['type']] for it in items]),
    }


def curriculum(step, steps, warmup_fraction):
    """One-object lookups first, then every type (relation questions weighted up: they are the hardest)."""
    if step < warmup_fraction * steps:
        return ['color', 'shape', 'exist'], [1, 1, 1]
    return data.QUESTION_TYPES, [1, 1, 1, 1.2, 1.6]


class BatchStream(torch.utils.data.IterableDataset):
    def __init__(self, seed, start_step, steps, batch, prefix_length, warmup_fraction):
        self.seed, self.start, self.steps, self.batch = seed, start_step, steps, batch
        self.prefix_length, self.warmup = prefix_length, warmup_fraction

    def __iter__(self):
        for step in range(self.start, self.steps):
            rng = np.random.default_rng([self.seed, step])
            types, weights = curriculum(step, self.steps, self.warmup)
            items = [data.generate_item(rng, types, weights) for _ in range(self.batch)]
            yield collate(items, self.prefix_length)


def loader(seed, start_step, steps, batch, prefix_length, warmup_fraction, workers=1):
    ds = BatchStream(seed, start_step, steps, batch, prefix_length, warmup_fraction)
    # torch 2 refuses a prefetch_factor without worker processes.
    return torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers, prefetch_factor=4 if workers else None)
