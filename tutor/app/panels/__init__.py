"""The live panels, by the stable id lessons use (see `tutor.course.panels`)."""

from __future__ import annotations

from importlib import import_module

from tutor.app.panels.base import Panel

# panel id -> "module:Class" inside tutor.app.panels; imported only when first opened
_WIDGETS: dict[str, str] = {
    "tokenizer": "tokenizer:TokenizerPanel",
    "next-token": "next_token:NextTokenPanel",
    "attention": "attention:AttentionPanel",
    "generation": "generation:GenerationPanel",
    "embeddings": "embeddings:EmbeddingsPanel",
    "prediction-loop": "prediction_loop:PredictionLoopPanel",
    "layers": "layers:LayersPanel",
    "explore": "explore:ExplorePanel",
}


def panel_class(panel_id: str) -> type[Panel] | None:
    """The widget class for a panel id, or None when no widget implements it (yet)."""
    target = _WIDGETS.get(panel_id)
    if target is None:
        return None
    module, _, cls = target.partition(":")
    return getattr(import_module(f"tutor.app.panels.{module}"), cls)
