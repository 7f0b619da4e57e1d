"""The exercises the course offers: plain data, no torch (the app and the CLI read it).

Each exercise has a starter file (the signature, a docstring and `...` as the body), a
reference solution, and a check module that runs only in the child process
(`tutor.exercises.child`). The learner's own copy lives in the user data dir.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from tutor.i18n import N_

Needs = Literal["decoder", "encoder"]


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    lesson: str  # the lesson whose exercise step uses it (the course's files are the truth)
    title: str
    function: str  # the name the learner's file must define
    module: str  # file stem of the starter, reference and check module
    needs: tuple[Needs, ...]  # the models its checks load, once per check run
    hints: tuple[str, ...]
    # title and hints are N_() messages: translate them with _() where they are shown

    @property
    def signature_file(self) -> str:
        return f"{self.id}.py"


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in [
        Exercise(
            id="softmax", lesson="generation-settings", title=N_("Softmax with temperature"),
            function="softmax", module="softmax", needs=("decoder",),
            hints=(
                N_("Divide the logits by the temperature first, then take the softmax."),
                N_("exp(1e4) is inf: subtract the largest logit before exp; the result is the same."),
            ),
        ),
        Exercise(
            id="top-k-top-p", lesson="generation-settings", title=N_("Top-k and top-p filtering"),
            function="filter_probs", module="top_k_top_p", needs=("decoder",),
            hints=(
                N_("Sort the probabilities in descending order (np.argsort(-probs))."),
                N_("Top-k first; renormalise what is left; then top-p on that."),
                N_("Top-p keeps tokens up to AND including the one whose cumulative sum reaches p."),
            ),
        ),
        Exercise(
            id="attention", lesson="self-attention", title=N_("Scaled dot-product attention"),
            function="attention", module="attention", needs=("decoder", "encoder"),
            hints=(
                N_("scores = q @ k.transpose(0, 2, 1) / sqrt(head_dim), one matrix per head."),
                N_("For causal=True set the scores above the diagonal to -inf BEFORE the softmax."),
                N_("Softmax over the last axis (the keys), then output = weights @ v."),
            ),
        ),
        Exercise(
            id="bpe", lesson="tokenization", title=N_("Byte-pair encoding merges"),
            function="bpe_merge", module="bpe", needs=("decoder",),
            hints=(
                N_("Look at every adjacent pair and find the one with the smallest rank."),
                N_("Merge every occurrence of that pair, then look again; stop when no pair has a rank."),
            ),
        ),
        Exercise(
            id="kv-cache", lesson="kv-cache-and-streaming", title=N_("Greedy decoding with a KV cache"),
            function="generate", module="kv_cache", needs=("decoder",),
            hints=(
                N_("First call: step(prompt_ids, None). Keep the cache it returns."),
                N_("Each new token: argmax of the last row of logits; then step([token], cache)."),
            ),
        ),
        Exercise(
            id="rope", lesson="embeddings-and-position", title=N_("Rotary position embeddings"),
            function="rotate", module="rope", needs=("decoder",),
            hints=(
                N_("inv_freq = 1 / base ** (np.arange(0, d, 2) / d); angles = positions[:, None] * inv_freq."),
                N_("llama's rotate-half pairs dimension i with i + d/2: "
                   "rotate_half(x) = concat(-x[:, d/2:], x[:, :d/2])."),
                N_("cos and sin are the angles repeated twice along the last axis: concat(a, a)."),
            ),
        ),
        Exercise(
            id="mean-pool", lesson="model-families", title=N_("Sentence embeddings by mean pooling"),
            function="sentence_embedding", module="mean_pool", needs=("encoder",),
            hints=(
                N_("Multiply the vectors by mask[..., None] and divide by the number of real tokens."),
                N_("Then divide each sentence vector by its L2 norm."),
            ),
        ),
    ]
}


def get(exercise_id: str) -> Exercise | None:
    return EXERCISES.get(exercise_id)


def _text(folder: str, exercise: Exercise) -> str:
    return (resources.files("tutor.exercises") / folder / f"{exercise.module}.py").read_text(
        encoding="utf-8")


def starter_text(exercise: Exercise) -> str:
    return _text("starters", exercise)


def reference_text(exercise: Exercise) -> str:
    return _text("references", exercise)


def reference_path(exercise: Exercise) -> Path:
    return Path(str(resources.files("tutor.exercises") / "references" / f"{exercise.module}.py"))


def learner_dir(data_dir: Path) -> Path:
    """The learner's copies, in the data dir (`Settings.data_dir`)."""
    return data_dir / "exercises"


def learner_path(exercise: Exercise, data_dir: Path) -> Path:
    return learner_dir(data_dir) / exercise.signature_file


def ensure_copy(exercise: Exercise, data_dir: Path) -> Path:
    """The learner's copy, created from the starter on first use (never overwritten)."""
    path = learner_path(exercise, data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_text(exercise), encoding="utf-8")
    return path
