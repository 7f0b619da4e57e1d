"""Errors the engine raises with a message fit to show a learner as it is."""


class EngineError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence."""


class ModelMissing(EngineError):
    """The model's weights are not on this machine; the message says how to fetch them."""


class BadInput(EngineError):
    """An argument is out of range (negative temperature, empty text, ...)."""
