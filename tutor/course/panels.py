"""The contract between lessons and live panels: each panel's stable id, the inputs a
lesson step may preset, and the result fields a `task` step may check.

The lesson loader validates `panel` and `task` steps (and lesson-level `numbers:`) against
this table, and every panel widget in `tutor/app/panels/` publishes a result dict with
exactly these fields. Each result field carries a one-line description: the app words a
task rule that has no `pass`/`fail` sentence from it ("the number of decoder tokens should
be at least 3"), so write it as a noun phrase a learner understands, without a final stop.
A field is None while the panel cannot compute it (the embeddings panel's word is missing
from a line, there is only one text); no rule holds on None.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.i18n import N_

Kind = type | tuple[type, ...]


@dataclass(frozen=True, slots=True)
class ResultField:
    kind: Kind  # accepted Python type(s), for rule and number checks
    # one line, a noun phrase: "the number of decoder tokens"; a catalog message (N_), so
    # show it through `_()`
    description: str


@dataclass(frozen=True, slots=True)
class PanelSpec:
    id: str
    title: str  # an N_() message: translate it with _() where it is shown
    inputs: dict[str, Kind]  # preset name -> accepted Python type(s)
    results: dict[str, ResultField]  # result field -> type and description, for task rules
    # the result field holding what the learner typed; while it is empty a task checks
    # nothing (an empty box must never pass "chars_per_token < 1")
    subject: str | None = None

    def kind(self, field: str) -> Kind | None:
        found = self.results.get(field)
        return found.kind if found is not None else None


NUM = (int, float)
F = ResultField

PANELS: dict[str, PanelSpec] = {
    p.id: p
    for p in [
        PanelSpec(
            id="tokenizer",
            title=N_("Tokenizer"),
            inputs={"text": str, "model": str},  # model: "decoder", "encoder" or "both"
            subject="text",
            results={
                "text": F(str, N_("the text in the box")),
                "token_count": F(int, N_("the number of decoder tokens (byte-level BPE, "
                                         "special tokens excluded)")),
                "encoder_token_count": F(int, N_("the number of encoder tokens (WordPiece, "
                                                 "special tokens excluded)")),
                "chars_per_token": F(NUM, N_("the characters per decoder token")),
                "tokens": F(list, N_("the decoder's pieces")),
                "ids": F(list, N_("the decoder's token ids")),
                "word_count": F(int, N_("the number of words (separated by spaces)")),
            },
        ),
        PanelSpec(
            id="embeddings",
            title=N_("Embeddings"),
            inputs={"texts": list, "token": str},  # token: a word present in every text
            subject="texts",
            results={
                "texts": F(list, N_("the texts compared")),
                "count": F(int, N_("the number of texts")),
                "max_similarity": F(NUM, N_("the highest similarity between two different texts")),
                "min_similarity": F(NUM, N_("the lowest similarity between two different texts")),
                "nearest": F(str, N_("the text most similar to the first one (by sentence vector)")),
                "nearest_similarity": F(NUM, N_("the similarity of the first text to its nearest "
                                                "text")),
                "token": F(str, N_("the word whose contextual vectors are compared")),
                "token_similarity": F(list, N_("the similarities of that word's contextual "
                                               "vectors, text by text")),
                "token_min_similarity": F(NUM, N_("the lowest similarity between that word's "
                                                  "vectors in two different texts")),
                "token_max_similarity": F(NUM, N_("the highest similarity between that word's "
                                                  "vectors in two different texts")),
            },
        ),
        PanelSpec(
            id="attention",
            title=N_("Attention"),
            # query/key: token positions to select (default: the last token, and the key it
            # attends to most)
            inputs={"text": str, "model": str, "layer": int, "head": int, "query": int,
                    "key": int},
            subject="text",
            results={
                "text": F(str, N_("the text in the box")),
                "model": F(str, N_("the model shown (decoder or encoder)")),
                "layer": F(int, N_("the selected layer")),
                "head": F(int, N_("the selected head")),
                "token_count": F(int, N_("the number of tokens")),
                "causal": F(bool, N_("whether the model only attends to earlier tokens")),
                "query_index": F(int, N_("the position of the selected query token")),
                "query_token": F(str, N_("the selected query token")),
                "key_index": F(int, N_("the position of the selected key token")),
                "key_token": F(str, N_("the selected key token")),
                "weight": F(NUM, N_("the attention weight from the selected query to the "
                                    "selected key")),
                "top_key_index": F(int, N_("the position of the token the query attends to most")),
                "top_key_token": F(str, N_("the token the query attends to most")),
                "top_key_weight": F(NUM, N_("the largest attention weight of the query")),
                "top_key_offset": F(int, N_("how many positions back the most-attended token is")),
            },
        ),
        PanelSpec(
            id="layers",
            title=N_("Logit lens"),
            inputs={"prompt": str},
            subject="prompt",
            results={
                "prompt": F(str, N_("the prompt")),
                # the last layer's top-1 at the last position, stripped of the space marker
                "final_token": F(str, N_("the model's prediction after the prompt")),
                "final_prob": F(NUM, N_("the probability of the model's prediction")),
                # layer 0 is the embeddings; the first such layer, even if a later one
                # loses it again
                "first_top1_layer": F(int, N_("the first layer at which the final prediction "
                                              "is already the top guess")),
                "n_layers": F(int, N_("the number of transformer blocks")),
            },
        ),
        PanelSpec(
            id="next-token",
            title=N_("Next token"),
            # basic: hide the sampling settings, entropy and raw probabilities (lesson 1,
            # before they are taught)
            inputs={"prompt": str, "temperature": NUM, "top_k": int, "top_p": NUM,
                    "basic": bool},
            subject="prompt",
            results={
                "prompt": F(str, N_("the prompt")),
                "temperature": F(NUM, N_("the temperature")),
                "top_k": F(int, N_("top-k")),
                "top_p": F(NUM, N_("top-p")),
                "top_token": F(str, N_("the most likely next token")),
                "top_prob": F(NUM, N_("the probability of the most likely next token")),
                "greedy_token": F(str, N_("the token greedy decoding picks")),
                "kept_count": F(int, N_("the number of tokens left with a probability above zero")),
                "kept_tokens": F(list, N_("the tokens shown that keep a probability above zero")),
                "entropy": F(NUM, N_("the entropy of the final distribution, in bits")),
                "samples": F(int, N_("the number of draws you made")),
            },
        ),
        PanelSpec(
            id="explore",
            title=N_("Explore"),
            inputs={"prompt": str, "temperature": NUM, "top_k": int, "top_p": NUM},
            subject="text",
            results={
                "text": F(str, N_("the prompt and the tokens appended to it")),
                # natural log, summed over tokens 2..n (the first has nothing before it)
                "log_prob": F(NUM, N_("the log-probability of the text")),
                # exp(-log_prob / (n - 1)); None for a one-token text
                "perplexity": F(NUM, N_("the perplexity of the text")),
                "chosen": F(list, N_("the tokens you appended")),  # space marker stripped
                "off_greedy": F(int, N_("the number of appended tokens greedy decoding would "
                                        "not have picked")),
            },
        ),
        PanelSpec(
            id="generation",
            title=N_("Generation"),
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
            subject="prompt",
            results={
                "prompt": F(str, N_("the prompt")),
                "text": F(str, N_("the generated text")),
                "token_count": F(int, N_("the number of generated tokens")),
                "stop_reason": F(str, N_("why generation stopped")),
                "tokens_per_s": F(NUM, N_("the speed, in tokens per second")),
                "use_cache": F(bool, N_("whether the KV cache was on")),
                "temperature": F(NUM, N_("the temperature")),
                "runs": F(int, N_("the number of generations you ran")),
                # a comparison counts each of its timed runs
                "runs_cached": F(int, N_("the number of runs with the KV cache on")),
                "runs_uncached": F(int, N_("the number of runs with the KV cache off")),
                # measured by "Cache on vs off" (tutor/engine/cachecost.py) at the longest
                # context; 0 when the repeats overlapped. Not for task rules: a busy machine
                # decides it, not the learner
                "cache_speedup": F(NUM, N_("how many times cheaper one more token was with the "
                                           "KV cache (0 until measured or too noisy)")),
                "chat": F(bool, N_("whether the prompt went through the chat template")),
                "prompt_tokens": F(int, N_("the number of tokens the model read before "
                                           "generating")),
                # a span of 1..half the tokens, repeated back to back at least 3 times at the
                # very end of the output (see tutor/engine/repeats.py)
                "repeats": F(bool, N_("whether the output ends in a loop (the same tokens "
                                      "three times in a row)")),
            },
        ),
        PanelSpec(
            id="prediction-loop",
            title=N_("Prediction loop"),
            inputs={"text": str, "model": str, "max_steps": int},  # model: "decoder" or "seq2seq"
            subject="text",
            results={
                "text": F(str, N_("the input text")),
                "model": F(str, N_("the model in the loop (decoder or seq2seq)")),
                "steps": F(int, N_("the number of steps taken")),
                "finished": F(bool, N_("whether the loop ended with the end token")),
                "output": F(str, N_("the output so far")),
                "stop_reason": F(str, N_("why the loop stopped")),
                "valid_date": F(bool, N_("whether the output is a real date in ISO form "
                                         "(YYYY-MM-DD)")),
            },
        ),
    ]
}
