"""llm-tutor: a terminal course on how transformer language models work."""

__version__ = "0.1.0"
