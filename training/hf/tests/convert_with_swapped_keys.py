"""Runs convert_hf.py with a deliberately wrong key mapping: text layer 1's mlp.gate_proj and mlp.up_proj
exchanged, the kind of slip a reimplementation makes and a shape check cannot see (both are [I,D]). The
converter's Hugging Face check must refuse the bundle, name the tensor that disagrees and write nothing.

  python training/hf/tests/convert_with_swapped_keys.py <convert_hf.py arguments>
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
import convert_hf  # noqa: E402
from hf import checkpoint  # noqa: E402

SWAP = {"text.layers.1.mlp.gate_proj.weight": "text.layers.1.mlp.up_proj.weight",
        "text.layers.1.mlp.up_proj.weight": "text.layers.1.mlp.gate_proj.weight"}
_canonical = checkpoint.canonical_name


def swapped(family, key):
    name = _canonical(family, key)
    return SWAP.get(name, name)


checkpoint.canonical_name = swapped

if __name__ == "__main__":
    sys.exit(convert_hf.main(sys.argv[1:]))
