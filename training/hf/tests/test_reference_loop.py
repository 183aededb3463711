"""The reference loop's pure pieces: the window choice, the stop criteria and the mid-trace threshold."""
import unittest

import torch

from hf import reference_loop as loop
from hf_golden import mid_trace_threshold


class WindowTest(unittest.TestCase):
    def test_sum_pool_first_maximum_row_major(self):
        sal = torch.zeros(3, 4)
        sal[0, 3] = sal[2, 0] = 1.0          # two windows tie at 1.0: the first in row-major order wins
        scores, r, c = loop.choose_window(sal.flatten(), 3, 4, 2, 1)
        self.assertEqual(list(scores.shape), [6])
        self.assertEqual((r, c), (0, 2))
        self.assertAlmostEqual(float(scores[2]), 1.0)

    def test_stride_scales_the_corner(self):
        sal = torch.zeros(4, 6)
        sal[2:4, 4:6] = 1.0
        _, r, c = loop.choose_window(sal.flatten(), 4, 6, 2, 2)
        self.assertEqual((r, c), (2, 4))


class CriterionTest(unittest.TestCase):
    def test_criteria_against_torch(self):
        g = torch.Generator().manual_seed(0)
        v, end = torch.randn(64, generator=g), torch.randn(64, generator=g)
        self.assertAlmostEqual(loop.latent_criterion("mse", v, end), float(((v - end) ** 2).mean()), places=6)
        self.assertAlmostEqual(loop.latent_criterion("mae", v, end), float((v - end).abs().mean()), places=6)
        cos = float(torch.nn.functional.cosine_similarity(v, end, dim=0))
        self.assertAlmostEqual(loop.latent_criterion("cosine", v, end), 1 - cos, places=6)

    def test_step_distance(self):
        d = loop.step_distance(torch.tensor([3.0, 0.0]), torch.tensor([0.0, 4.0]))
        self.assertEqual(d, [1.0, 7.0, 5.0])

    def test_adaptive_stop(self):
        rules = {"stop": "l2", "threshold": 1.0, "maxLatentSteps": 4, "latentSteps": 2}
        self.assertIsNone(loop.adaptive_stop(rules, 1, None))
        self.assertEqual(loop.adaptive_stop(rules, 2, [0, 0, 0.5]), "threshold")
        self.assertEqual(loop.adaptive_stop(rules, 4, [0, 0, 2.0]), "max-steps")
        self.assertEqual(loop.adaptive_stop(dict(rules, stop="fixed"), 2, None), "fixed")


class MidTraceThresholdTest(unittest.TestCase):
    def first_firing(self, values, thr):
        return next(i for i, v in enumerate(values) if v < thr)

    def test_fires_before_the_last_step_at_the_smallest_value(self):
        values = [0.5, 0.2, 0.4, 0.1]          # the smallest is last: the threshold must fire earlier
        thr = mid_trace_threshold(values)
        self.assertEqual(self.first_firing(values, thr), 1)
        self.assertAlmostEqual(thr, 0.35)

    def test_first_value_smallest(self):
        values = [0.1, 0.3, 0.2]
        thr = mid_trace_threshold(values)
        self.assertEqual(self.first_firing(values, thr), 0)
        self.assertAlmostEqual(thr, 0.15)

    def test_too_few_steps(self):
        with self.assertRaises(SystemExit):
            mid_trace_threshold([0.1])


if __name__ == "__main__":
    unittest.main()
