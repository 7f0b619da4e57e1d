"""The model engine. Importing this package imports neither torch nor transformers:
heavy imports happen only when a model is loaded (see `tutor.engine.loading`)."""

from tutor.engine.engine import Engine
from tutor.engine.errors import BadInput, EngineError, ModelMissing
from tutor.engine.registry import MODELS, ModelSpec, get_spec

__all__ = ["Engine", "EngineError", "BadInput", "ModelMissing", "MODELS", "ModelSpec", "get_spec"]
