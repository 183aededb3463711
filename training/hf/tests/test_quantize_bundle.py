"""Run: training/.venv/bin/python -m unittest discover -s training/hf/tests -t training"""
import os
import tempfile
import unittest

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from quantize_bundle import QuantizeError, quantize_graph

K, N, BLOCK = 64, 48, 32


def matmul_graph(folder, weight, constant=True):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, K])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, N])
    if constant:
        w = [numpy_helper.from_array(weight, "w")]
        inputs = [x]
    else:
        w = []
        inputs = [x, helper.make_tensor_value_info("w", TensorProto.FLOAT, [K, N])]
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g", inputs, [y], w)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save_model(model, os.path.join(folder, "decoder.onnx"))


class QuantizeGraphTest(unittest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(3)
        self.weight = self.rng.standard_normal((K, N)).astype(np.float32)
        self.src = tempfile.mkdtemp()
        self.dst = tempfile.mkdtemp()

    def run_graph(self, folder, x):
        s = ort.InferenceSession(os.path.join(folder, "decoder.onnx"), providers=["CPUExecutionProvider"])
        return s.run(["y"], {"x": x})[0]

    def test_int4_matches_the_blockwise_rounding_bound(self):
        matmul_graph(self.src, self.weight)
        count, files = quantize_graph(self.src, self.dst, "decoder.onnx", bits=4, block_size=BLOCK)
        self.assertEqual((count, files), (1, ["decoder.onnx"]))
        ops = [n.op_type for n in onnx.load(os.path.join(self.dst, "decoder.onnx")).graph.node]
        self.assertEqual(ops, ["MatMulNBits"])
        x = self.rng.standard_normal((1, K)).astype(np.float32)
        want, got = x @ self.weight, self.run_graph(self.dst, x)
        self.assertEqual(got.shape, want.shape)
        # symmetric int4: each weight is off by at most half a step, step = max|w| of its block / 7 (bound
        # widened for the int8 activations of accuracy level 4)
        step = np.abs(self.weight.reshape(K // BLOCK, BLOCK, N)).max(1) / 7
        bound = (np.abs(x).reshape(K // BLOCK, BLOCK).sum(1)[:, None] * step / 2).sum(0) * 1.5 + 1e-3
        self.assertTrue(np.all(np.abs(got - want) <= bound), np.max(np.abs(got - want) - bound))
        self.assertGreater(np.max(np.abs(got - want)), 0)  # it was quantized, not copied

    def test_int8_is_closer_than_int4(self):
        matmul_graph(self.src, self.weight)
        x = self.rng.standard_normal((1, K)).astype(np.float32)
        errors = {}
        for bits in (4, 8):
            out = tempfile.mkdtemp()
            quantize_graph(self.src, out, "decoder.onnx", bits=bits, block_size=BLOCK)
            errors[bits] = np.max(np.abs(self.run_graph(out, x) - x @ self.weight))
        self.assertLess(errors[8], errors[4] / 4)

    def test_a_graph_without_constant_weights_is_refused(self):
        matmul_graph(self.src, self.weight, constant=False)
        with self.assertRaisesRegex(QuantizeError, r"decoder\.onnx: no MatMul with a constant weight"):
            quantize_graph(self.src, self.dst, "decoder.onnx", bits=4, block_size=BLOCK)


if __name__ == "__main__":
    unittest.main()
