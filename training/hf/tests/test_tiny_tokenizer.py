"""Run: training/.venv/bin/python -m unittest discover -s training/hf/tests -t training"""
import json
import os
import tempfile
import unittest

from tokenizers import Tokenizer

from hf.tiny_tokenizer import SPECIAL_TOKENS, build_tokenizer


class TinyTokenizerTest(unittest.TestCase):
    def test_deterministic_and_sized(self):
        a, b = build_tokenizer("qwen2_5_vl"), build_tokenizer("qwen2_5_vl")
        self.assertEqual(a[0], b[0])
        merges = json.loads(a[0])["model"]["merges"]
        self.assertGreaterEqual(len(merges), 1000)
        self.assertLessEqual(len(merges), 2000)

    def test_special_tokens_are_single_ids_and_round_trip(self):
        tok = Tokenizer.from_str(build_tokenizer("qwen2_5_vl")[0])
        for t in SPECIAL_TOKENS:
            enc = tok.encode("a " + t + " b")
            self.assertIn(t, enc.tokens)
        text = "Where is the red circle? 1234 café ünïcode\n\n  done"
        self.assertEqual(tok.decode(tok.encode(text).ids, skip_special_tokens=False), text)

    def test_transformers_loads_it_and_renders_the_family_image_part(self):
        try:
            from transformers import AutoTokenizer
        except ImportError:
            self.skipTest("transformers not installed")
        for family, image in (("llava", "<image>\n"), ("qwen2_5_vl", "<|vision_start|><|image_pad|><|vision_end|>")):
            text, config, template = build_tokenizer(family)
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "tokenizer.json"), "w") as f:
                    f.write(text)
                with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
                    json.dump(config, f)
                tk = AutoTokenizer.from_pretrained(d)
            msgs = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is it?"}]}]
            s = tk.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
            self.assertEqual(s, "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                             + image + "What is it?<|im_end|>\n<|im_start|>assistant\n")
            self.assertEqual(tk(s)["input_ids"], Tokenizer.from_str(text).encode(s).ids)
            self.assertEqual(tk.eos_token, "<|im_end|>")


if __name__ == "__main__":
    unittest.main()
