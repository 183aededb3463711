"""The defaults the references assume for keys a config.json leaves out equal Hugging Face's config classes."""
import unittest

from hf.clip import CLIP_DEFAULTS
from hf.qwen_vision import VISION_DEFAULTS
from hf.text import TEXT_DEFAULTS


class ConfigDefaultsTest(unittest.TestCase):
    def setUp(self):
        try:
            import transformers  # noqa: F401
        except ImportError:
            self.skipTest("transformers not installed")

    def test_text_defaults(self):
        from transformers import LlamaConfig, Qwen2Config
        from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLTextConfig
        for kind, cls in (("llama", LlamaConfig), ("qwen2", Qwen2Config), ("qwen2_5_vl_text", Qwen2_5_VLTextConfig)):
            hf = cls().to_dict()
            for key, value in TEXT_DEFAULTS[kind].items():
                if key in hf:
                    with self.subTest(kind=kind, key=key):
                        self.assertEqual(value, hf[key])

    def test_vision_defaults(self):
        from transformers import CLIPVisionConfig
        from transformers.models.qwen2_5_vl.configuration_qwen2_5_vl import Qwen2_5_VLVisionConfig
        hf = Qwen2_5_VLVisionConfig().to_dict()
        for key, value in VISION_DEFAULTS.items():
            with self.subTest(key=key):
                self.assertEqual(value, hf[key])
        clip = CLIPVisionConfig().to_dict()
        for key, value in CLIP_DEFAULTS.items():
            with self.subTest(key=key):
                self.assertEqual(value, clip[key])


if __name__ == "__main__":
    unittest.main()
