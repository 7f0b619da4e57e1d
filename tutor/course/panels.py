"""The contract between lessons and live panels: each panel's stable id, the inputs a
lesson step may preset, and the result fields a `task` step may check.

The lesson loader validates `panel` and `task` steps against this table, and every panel
widget in `tutor/app/panels/` publishes a result dict with exactly these fields.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PanelSpec:
    id: str
    title: str
    inputs: dict[str, type | tuple[type, ...]]  # preset name -> accepted Python type(s)
    results: dict[str, type | tuple[type, ...]]  # result field -> type, for task rules


NUM = (int, float)

PANELS: dict[str, PanelSpec] = {
    p.id: p
    for p in [
        PanelSpec(
            id="tokenizer",
            title="Tokenizer",
            inputs={"text": str, "model": str},  # model: "decoder", "encoder" or "both"
            results={
                "text": str,
                "token_count": int,  # decoder (byte-level BPE) tokens, specials excluded
                "encoder_token_count": int,  # encoder (WordPiece) tokens, specials excluded
                "chars_per_token": NUM,
                "tokens": list,  # decoder pieces as shown
                "ids": list,
                "word_count": int,  # whitespace-separated words in the text
            },
        ),
        PanelSpec(
            id="embeddings",
            title="Embeddings",
            inputs={"texts": list},
            results={
                "texts": list,
                "count": int,
                "max_similarity": NUM,  # highest off-diagonal cosine similarity
                "min_similarity": NUM,
            },
        ),
        PanelSpec(
            id="attention",
            title="Attention",
            inputs={"text": str, "model": str, "layer": int, "head": int},
            results={
                "text": str,
                "model": str,
                "layer": int,
                "head": int,
                "token_count": int,
                "causal": bool,
            },
        ),
        PanelSpec(
            id="next-token",
            title="Next token",
            # basic: hide the sampling settings, entropy and raw probabilities (lesson 1,
            # before they are taught)
            inputs={"prompt": str, "temperature": NUM, "top_k": int, "top_p": NUM,
                    "basic": bool},
            results={
                "prompt": str,
                "temperature": NUM,
                "top_k": int,
                "top_p": NUM,
                "top_token": str,  # highest final probability (stripped of the space marker)
                "top_prob": NUM,
                "greedy_token": str,
                "kept_count": int,  # tokens with non-zero final probability
                "kept_tokens": list,  # texts (stripped) of the kept tokens among the top shown
                "entropy": NUM,  # bits, of the final distribution
                "samples": int,  # how many draws the learner has made
            },
        ),
        PanelSpec(
            id="generation",
            title="Generation",
            inputs={
                "prompt": str,
                "preset": str,  # "zero-shot", "one-shot", "few-shot" or "" (none)
                "max_new_tokens": int,
                "temperature": NUM,
                "top_k": int,
                "top_p": NUM,
                "seed": int,
                "use_cache": bool,
                "chat": bool,
            },
            results={
                "prompt": str,
                "text": str,
                "token_count": int,
                "stop_reason": str,
                "tokens_per_s": NUM,
                "use_cache": bool,
                "temperature": NUM,
                "runs": int,  # completed generations in this panel
                "cache_speedup": NUM,  # ms/token without cache / with cache, 0 until both ran
            },
        ),
        PanelSpec(
            id="prediction-loop",
            title="Prediction loop",
            inputs={"text": str, "model": str, "max_steps": int},  # model: "decoder" or "seq2seq"
            results={
                "text": str,
                "model": str,
                "steps": int,
                "finished": bool,
                "output": str,
                "stop_reason": str,
            },
        ),
    ]
}
