"""A character-level tokenizer for dates, built with the `tokenizers` library.

One token per character; the normalizer lower-cases, so "MONDAY" and "monday" are the same
tokens and case variants cost the model nothing to learn. Characters outside the vocabulary
become <unk> rather than an error, so any text can be read.
"""

from __future__ import annotations

import string

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

PAD, START, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, START, EOS, UNK)
CHARS = " ,/-." + string.digits + string.ascii_lowercase


def vocabulary() -> dict[str, int]:
    return {tok: i for i, tok in enumerate((*SPECIALS, *CHARS))}


def build_tokenizer(model_max_length: int) -> PreTrainedTokenizerFast:
    vocab = vocabulary()
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tok.normalizer = normalizers.Lowercase()
    # Every character its own piece, spaces included.
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    # Decoding joins the pieces with nothing between them.
    tok.decoder = decoders.Fuse()
    # The encoder reads the text followed by </s>; the decoder's labels are the ISO
    # date followed by </s>, so the same call tokenizes both.
    tok.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", special_tokens=[(EOS, vocab[EOS])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token=PAD, bos_token=START, eos_token=EOS, unk_token=UNK,
        model_max_length=model_max_length,
        padding_side="right", truncation_side="right",
    )
