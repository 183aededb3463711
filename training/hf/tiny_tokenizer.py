"""A small, real byte-level BPE tokenizer for the tiny Hugging Face checkpoints (make_tiny_hf.py).

It has the shape of Qwen2's tokenizer.json (NFC normaliser, Qwen2's split regex then byte-level
pre-tokenizer, byte-level decoder), is trained with the `tokenizers` library on a fixed English corpus
generated from a seeded word grammar, and carries the special tokens of both families and of LVR, so a
bundle made from it exercises the same BPE, added-token and chat-template paths as a real checkpoint.

  build_tokenizer('qwen2_5_vl') -> (tokenizer_json, tokenizer_config, chat_template)
"""
import json
import random

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

# Qwen2's pre-tokenizer split (tokenizer.json of Qwen2.5 / Qwen2.5-VL).
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
               r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# Order fixes the ids: the first special token follows the last merged token.
SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>",
    "<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>", "<image>",
    "<|latent_start|>", "<|latent_end|>",
    "<|lvr_start|>", "<|lvr|>", "<|lvr_end|>", "<|lvr_latent_end|>", "<lvr>",
]

TARGET_MERGES = 1500
CORPUS_SEED = 11
CORPUS_SENTENCES = 6000

_SUBJECTS = ("the red circle", "a blue square", "the green triangle", "one yellow star", "the small cat",
             "a large dog", "the old man", "a young woman", "the tall tree", "a white cloud", "the black car",
             "two purple shapes", "three orange balls", "the brown horse", "a grey bird", "the striped fish",
             "the picture", "this image", "the left object", "the right object", "the model", "a researcher")
_VERBS = ("is next to", "sits above", "lies below", "stands behind", "appears in front of", "touches",
          "is bigger than", "is smaller than", "looks like", "moves toward", "points at", "covers",
          "reflects", "overlaps", "follows", "watches", "describes", "contains", "surrounds", "ignores")
_OBJECTS = ("the window", "a wooden table", "the bright sky", "the river bank", "an empty street",
            "the kitchen floor", "a mountain", "the garden wall", "a paper box", "the soft pillow",
            "the answer", "every corner", "the background", "a textured pattern", "the centre of the frame",
            "the top left", "the bottom right", "a narrow bridge", "the city park", "the question")
_QUESTIONS = ("What colour is", "How many", "Where is", "Is there", "Which shape is", "What is",
              "Can you describe", "Why does", "When did", "Who is holding")
_EXTRA_WORDS = ("reasoning", "latent", "visual", "token", "attention", "saliency", "window", "extractor",
                "reconstruction", "diffusion", "thought", "vision", "language", "transformer", "embedding",
                "position", "rotary", "gradient", "training", "evaluation", "accuracy", "benchmark",
                "experiment", "analysis", "probability", "distribution", "statistics", "hypothesis",
                "photograph", "landscape", "portrait", "panorama", "resolution", "pixel", "channel",
                "because", "therefore", "however", "although", "between", "through", "without", "around",
                "yesterday", "tomorrow", "morning", "evening", "quickly", "slowly", "carefully", "clearly",
                "system", "user", "assistant", "helpful", "answer", "question", "final", "put", "your",
                "absolute", "abstract", "academic", "accept", "access", "accident", "account", "achieve",
                "acquire", "address", "adjust", "admire", "advance", "advice", "afford", "agency", "agreement",
                "airport", "algorithm", "alphabet", "ambition", "amount", "ancient", "animal", "announce",
                "apartment", "appetite", "approach", "architecture", "argument", "arrange", "article", "artist",
                "assemble", "assume", "atmosphere", "audience", "autumn", "average", "balance", "bandwidth",
                "barrier", "battery", "beautiful", "behaviour", "believe", "bicycle", "biology", "blanket",
                "boundary", "brilliant", "broadcast", "budget", "building", "butterfly", "calendar", "camera",
                "candidate", "capacity", "capture", "category", "celebrate", "century", "champion", "character",
                "chemistry", "children", "chocolate", "circuit", "citizen", "classroom", "climate", "collection",
                "colleague", "comfortable", "community", "company", "compare", "complete", "computer", "concept",
                "conclusion", "condition", "conference", "confidence", "connection", "consider", "constant",
                "continue", "contract", "control", "conversation", "correct", "country", "courage", "creative",
                "culture", "curious", "customer", "dangerous", "daughter", "decision", "decoder", "definition",
                "delivery", "democracy", "department", "depend", "design", "detail", "develop", "device",
                "dictionary", "difference", "difficult", "dimension", "direction", "discover", "discussion",
                "distance", "document", "economy", "education", "effective", "electric", "elephant", "emotion",
                "employee", "encoder", "energy", "engine", "environment", "equation", "equipment", "estimate",
                "evidence", "example", "exercise", "expensive", "explain", "express", "factory", "familiar",
                "favourite", "feature", "festival", "finance", "flexible", "flower", "football", "foreign",
                "forest", "fortune", "freedom", "frequency", "friendly", "function", "furniture", "galaxy",
                "general", "generous", "geography", "government", "graduate", "grammar", "guitar", "happiness",
                "harbour", "health", "history", "holiday", "hospital", "hundred", "identity", "imagine",
                "important", "industry", "influence", "information", "instrument", "interest", "internet",
                "interval", "invention", "island", "journey", "judgement", "keyboard", "kingdom", "knowledge",
                "laboratory", "language", "leadership", "library", "lightning", "literature", "machine",
                "magazine", "manager", "mathematics", "measure", "medicine", "memory", "message", "method",
                "midnight", "minute", "mistake", "moment", "monitor", "mountain", "museum", "musician",
                "mystery", "national", "natural", "necessary", "neighbour", "network", "newspaper", "normal",
                "notebook", "number", "objective", "ocean", "official", "operation", "opinion", "orchestra",
                "organisation", "painting", "parameter", "particular", "passenger", "pattern", "pencil",
                "performance", "permission", "personal", "physics", "planet", "pleasure", "population",
                "possible", "practice", "prediction", "president", "pressure", "problem", "process", "produce",
                "professor", "program", "project", "property", "protect", "quality", "quantity", "question",
                "railway", "reaction", "recognise", "recommend", "relationship", "remember", "represent",
                "research", "response", "restaurant", "revolution", "sandwich", "satellite", "scientist",
                "sentence", "sequence", "shoulder", "signature", "situation", "society", "software", "solution",
                "something", "special", "standard", "station", "strategy", "strength", "student", "subject",
                "success", "summer", "support", "surface", "surprise", "symbol", "teacher", "technology",
                "telephone", "television", "temperature", "tension", "theatre", "thousand", "tradition",
                "traffic", "transport", "treasure", "umbrella", "uniform", "universe", "university", "vacation",
                "valley", "variable", "vegetable", "version", "victory", "village", "violin", "vocabulary",
                "volume", "weather", "website", "weekend", "welcome", "wonderful", "workshop", "yellow")


def _corpus(seed=CORPUS_SEED, sentences=CORPUS_SENTENCES):
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        kind = rng.randrange(4)
        if kind == 0:
            s = f"{rng.choice(_SUBJECTS).capitalize()} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}."
        elif kind == 1:
            s = f"{rng.choice(_QUESTIONS)} {rng.choice(_SUBJECTS)} in {rng.choice(_OBJECTS)}?"
        elif kind == 2:
            words = [rng.choice(_EXTRA_WORDS) for _ in range(rng.randint(3, 9))]
            s = " ".join(words).capitalize() + rng.choice((".", "!", ",", ";", ":"))
        else:
            s = f"There are {rng.randint(0, 2000)} {rng.choice(_EXTRA_WORDS)}s, {rng.randint(1, 99)}% of them " \
                f"{rng.choice(('red', 'blue', 'green', 'mixed'))} (about {rng.random():.2f})."
        lines.append(s)
    return lines


def _tokenizer_object(seed):
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False, fuse_unk=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(vocab_size=len(alphabet) + TARGET_MERGES, min_frequency=2,
                                  initial_alphabet=alphabet, special_tokens=[], show_progress=False)
    tok.train_from_iterator(_corpus(seed), trainer=trainer)
    tok.add_special_tokens(SPECIAL_TOKENS)
    return tok


def chat_template(family):
    """Qwen2-VL's chat template; the image part is the family's placeholder."""
    image = {"qwen2_5_vl": "<|vision_start|><|image_pad|><|vision_end|>", "llava": "<image>\n"}[family]
    return (
        "{% for message in messages %}"
        "{% if loop.first and message['role'] != 'system' %}"
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "{% endif %}"
        "<|im_start|>{{ message['role'] }}\n"
        "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
        "{% else %}{% for content in message['content'] %}"
        "{% if content['type'] == 'image' %}" + image +
        "{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}"
        "{% endfor %}<|im_end|>\n{% endif %}"
        "{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )


def build_tokenizer(family, seed=CORPUS_SEED):
    """(tokenizer.json text, tokenizer_config.json dict, chat template) for 'llava' or 'qwen2_5_vl'."""
    if family not in ("llava", "qwen2_5_vl"):
        raise ValueError(f"unknown family {family!r}: expected 'llava' or 'qwen2_5_vl'")
    tok = _tokenizer_object(seed)
    template = chat_template(family)
    added = {str(tok.token_to_id(t)): {"content": t, "lstrip": False, "rstrip": False, "normalized": False,
                                       "single_word": False, "special": True} for t in SPECIAL_TOKENS}
    config = {
        "add_prefix_space": False,
        "added_tokens_decoder": added,
        "additional_special_tokens": [t for t in SPECIAL_TOKENS if t not in ("<|endoftext|>", "<|im_end|>")],
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "unk_token": None,
        "clean_up_tokenization_spaces": False,
        "errors": "replace",
        "model_max_length": 32768,
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2TokenizerFast",
        "chat_template": template,
    }
    if family == "llava":
        config["image_token"] = "<image>"
    return tok.to_str(), config, template


def _main():
    import argparse
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--family", required=True, choices=("llava", "qwen2_5_vl"))
    p.add_argument("--out", required=True, help="folder for tokenizer.json, tokenizer_config.json, chat_template.jinja")
    a = p.parse_args()
    import os
    os.makedirs(a.out, exist_ok=True)
    text, config, template = build_tokenizer(a.family)
    with open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(a.out, "chat_template.jinja"), "w", encoding="utf-8") as f:
        f.write(template)


if __name__ == "__main__":
    _main()
