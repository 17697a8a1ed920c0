"""A tiny random llama built in the test (2 layers, a byte-level BPE of a few hundred tokens trained here on
real text, a ChatML template), saved as a Hugging Face folder: the LLM export's code paths in seconds-to-minutes."""

from __future__ import annotations

import json
from pathlib import Path

CHATML = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
          "{{ '<|im_start|>system\nYou are a tiny test model.<|im_end|>\n' }}{% endif %}"
          "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def train_tokenizer(vocab_size: int = 384):
    """A byte-level BPE trained on the Python reference's prose, with the three ChatML special tokens first."""
    from pydoc_data.topics import topics
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.Sequence([])  # what the GGUF converter writes: the export must null it
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.Sequence([decoders.ByteLevel(), decoders.Strip(" ", 1, 0)])  # the streaming trap
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([topics[k] for k in ("if", "for", "while", "class", "function", "import")], trainer)
    return tok


def on_q4_1_grid(model) -> None:
    """Round every linear (not the head) onto a Q4_1 grid, like a model dequantized from a 4-bit GGUF."""
    import torch

    with torch.no_grad():
        for name, mod in model.named_modules():
            if isinstance(mod, torch.nn.Linear) and name != "lm_head" and mod.in_features % 32 == 0:
                w = mod.weight
                o, i = w.shape
                wg = w.reshape(o, i // 32, 32)
                lo = wg.amin(-1, keepdim=True)
                d = (wg.amax(-1, keepdim=True) - lo) / 15
                mod.weight.copy_((lo + d * ((wg - lo) / d).round()).reshape(o, i))


def tiny_llama_folder(folder: Path, *, layers: int = 2, seed: int = 0) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = train_tokenizer()
    vocab = tok.get_vocab_size()
    cfg = LlamaConfig(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=layers,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                      bos_token_id=1, eos_token_id=2, pad_token_id=2, tie_word_embeddings=True)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(cfg).eval()
    on_q4_1_grid(model)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "add_bos_token": False, "chat_template": CHATML}))
    return folder
