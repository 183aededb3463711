"""Grouped-query attention reads the cache without repeating it, and the decoder graph's newest attention row is
computed apart from the map that is multiplied with V (so onnxruntime can free each layer's map at once)."""
import tempfile
import unittest

import onnx
import torch

from hf import graphs
from hf.export_graphs import GraphSpec, check_graph, export_graph
from hf.layers import grouped_attention, softmax_attention
from hf.text import TextConfig, TextDecoder

# ops that pass a tensor on without computing with it: a map read through them is still the same map
PASS_THROUGH = {"Reshape", "Cast", "Identity", "Squeeze", "Unsqueeze"}


class RandomCheckpoint:
    """Checkpoint.take's contract with seeded random tensors."""

    def __init__(self, seed):
        self.gen = torch.Generator().manual_seed(seed)

    def take(self, name, shape):
        return torch.randn(*shape, generator=self.gen) * 0.3


def tiny_decoder(seed=0):
    tc = {"hidden_size": 48, "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 6,
          "num_key_value_heads": 2, "vocab_size": 40, "max_position_embeddings": 64, "rope_theta": 10000.0,
          "attention_bias": True, "tie_word_embeddings": True}
    c = TextConfig(tc, "qwen2", "test")
    return TextDecoder(RandomCheckpoint(seed), c, "test").eval()


def causal_case(gen, s, p, c):
    x = torch.randn(1, s, c.hidden, generator=gen)
    pk = torch.randn(c.layers, 1, c.kv_heads, p, c.head_dim, generator=gen)
    pv = torch.randn(c.layers, 1, c.kv_heads, p, c.head_dim, generator=gen)
    return x, pk, pv


class GroupedAttentionTest(unittest.TestCase):
    def test_equals_repeating_the_cache(self):
        g = torch.Generator().manual_seed(1)
        q = torch.randn(1, 6, 3, 8, generator=g)
        k, v = torch.randn(1, 2, 7, 8, generator=g), torch.randn(1, 2, 7, 8, generator=g)
        mask = torch.arange(7)[None, :] <= (torch.arange(3) + 4)[:, None]
        want_o, want_p = softmax_attention(q, k.repeat_interleave(3, dim=1), v.repeat_interleave(3, dim=1), 0.35, mask)
        got_o, got_p = grouped_attention(q, k, v, 0.35, mask)
        self.assertEqual(list(got_o.shape), [1, 6, 3, 8])
        self.assertEqual(list(got_p.shape), [1, 6, 3, 7])
        torch.testing.assert_close(got_o, want_o, atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(got_p, want_p, atol=1e-6, rtol=1e-5)

    def test_newest_row_equals_the_last_row_of_the_map(self):
        m = tiny_decoder()
        x, pk, pv = causal_case(torch.Generator().manual_seed(2), 5, 4, m.c)
        with torch.no_grad():
            _, full, _, _ = m.run(x, pk, pv)
            _, rows, _, _ = m.run(x, pk, pv, newest_attention=True)
        self.assertEqual(len(rows), m.c.layers)
        for f, r in zip(full, rows):
            self.assertEqual(list(r.shape), [1, m.c.heads, 9])
            torch.testing.assert_close(r, f[:, :, -1], atol=1e-6, rtol=1e-5)


class DecoderGraphTest(unittest.TestCase):
    def test_the_map_multiplied_with_v_feeds_nothing_else(self):
        m = tiny_decoder()
        c = m.c
        gen = torch.Generator().manual_seed(3)
        spec = GraphSpec("decoder.onnx", graphs.DecoderGraph(m, False), ["inputs_embeds", "past_keys", "past_values"],
                         ["logits", "last_hidden", "hidden_states", "attention", "present_keys", "present_values",
                          "attention_heads"],
                         {"inputs_embeds": {1: "seq"}, "past_keys": {3: "past"}, "past_values": {3: "past"},
                          "last_hidden": {1: "seq"}, "attention": {2: "total"}, "present_keys": {3: "total"},
                          "present_values": {3: "total"}, "attention_heads": {2: "total"}},
                         causal_case(gen, 4, 3, c), [causal_case(gen, 6, 0, c), causal_case(gen, 1, 5, c)])
        with tempfile.TemporaryDirectory() as d:
            export_graph(spec, d)
            check_graph(spec, d, "fp32")  # raises when onnxruntime and the reference differ
            graph = onnx.load(f"{d}/decoder.onnx").graph
        consumers = {}
        for node in graph.node:
            for name in node.input:
                consumers.setdefault(name, []).append(node)

        def readers(name):
            """the nodes that compute with `name`, looking through PASS_THROUGH ops"""
            out = []
            for node in consumers.get(name, []):
                out += [r for o in node.output for r in readers(o)] if node.op_type in PASS_THROUGH else [node]
            return out
        softmaxes = [n for n in graph.node if n.op_type == "Softmax"]
        multiplied = 0
        for sm in softmaxes:
            ops = {r.op_type for r in readers(sm.output[0])}
            if "MatMul" in ops:
                multiplied += 1
                self.assertEqual(ops, {"MatMul"}, f"{sm.name}: the map multiplied with V is also read by {ops}")
        self.assertEqual(multiplied, c.layers)
        self.assertEqual(len(softmaxes), 2 * c.layers)  # per layer: the map, and the newest row on its own


if __name__ == "__main__":
    unittest.main()
