"""vision_indices and rope_index against Hugging Face's rot_pos_emb, get_window_index and get_rope_index."""
import unittest

import torch

from hf.qwen_vision import VisionConfig, rope_index, vision_indices

GRIDS = [(2, 2), (4, 6), (10, 16), (12, 8), (6, 14), (28, 2), (2, 30), (16, 16)]


def hf_vision(window):
    from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLVisionConfig
    from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VisionTransformerPretrainedModel
    cfg = Qwen2_5_VLVisionConfig(depth=1, hidden_size=32, num_heads=2, intermediate_size=16, out_hidden_size=16,
                                 window_size=window, fullatt_block_indexes=[0])
    return cfg, Qwen2_5_VisionTransformerPretrainedModel(cfg)


class QwenIndicesTest(unittest.TestCase):
    def setUp(self):
        try:
            import transformers  # noqa: F401
        except ImportError:
            self.skipTest("transformers not installed")

    def test_vision_indices_match_hf(self):
        for window in (112, 56):
            cfg, hf = hf_vision(window)
            c = VisionConfig(cfg.to_dict())
            for gh, gw in GRIDS:
                with self.subTest(window=window, grid=(gh, gw)):
                    thw = torch.tensor([[1, gh, gw]])
                    rot, wi, seq = vision_indices(c, gh, gw)
                    inv = hf.rotary_pos_emb.inv_freq
                    ours = (rot.float()[:, :, None] * inv[None, None, :]).reshape(gh * gw, -1)
                    want = hf.rot_pos_emb(thw)
                    self.assertEqual(tuple(ours.shape), tuple(want.shape))
                    torch.testing.assert_close(ours, want, atol=0, rtol=0)
                    hf_index, cu = hf.get_window_index(thw)
                    self.assertTrue(torch.equal(wi, hf_index))
                    bounds = sorted(set(cu))
                    starts = [0] + [i for i in range(1, seq.numel()) if seq[i] != seq[i - 1]] + [seq.numel()]
                    self.assertEqual(starts, bounds)

    def test_rope_index_matches_hf(self):
        from transformers import Qwen2_5_VLConfig
        from transformers.models.qwen2_5_vl.modeling_qwen2_5_vl import Qwen2_5_VLModel
        cfg = Qwen2_5_VLConfig(text_config=dict(hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                                num_key_value_heads=1, intermediate_size=16, vocab_size=64),
                               vision_config=dict(depth=1, hidden_size=16, num_heads=2, intermediate_size=16,
                                                  out_hidden_size=16),
                               image_token_id=60, video_token_id=61, vision_start_token_id=62, vision_end_token_id=63)
        model = Qwen2_5_VLModel(cfg)
        for gh, gw, before, after in ((4, 6, 5, 7), (2, 2, 1, 1), (10, 16, 12, 3), (28, 2, 0, 4)):
            with self.subTest(grid=(gh, gw)):
                n = gh * gw // 4
                ids = list(range(1, before + 1)) + [62] + [60] * n + [63] + list(range(1, after + 1))
                want, _ = model.get_rope_index(torch.tensor([ids]), torch.tensor([[1, gh, gw]]), None, None, None)
                got = rope_index(ids, 60, gh // 2, gw // 2)
                self.assertEqual(tuple(got.shape), tuple(want.shape))
                self.assertTrue(torch.equal(got, want))


if __name__ == "__main__":
    unittest.main()
