"""The course glossary: each term in English and Korean, its definition, its lesson."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field
from ruamel.yaml import YAML

# A lesson links a term to its entry as a Markdown link: [autoregressive](glossary:autoregressive)
LINK = re.compile(r"\]\(glossary:([^)\s]*)\)")
SCHEME = "glossary:"


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)
    lesson: str = Field(min_length=1)
    en_def: str = Field(min_length=1)
    ko_def: str = Field(min_length=1)

    def name(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def other_name(self, lang: str) -> str:
        return self.en if lang == "ko" else self.ko

    def definition(self, lang: str) -> str:
        return self.ko_def if lang == "ko" else self.en_def


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: list[Term]

    def term(self, term_id: str) -> Term | None:
        return next((t for t in self.terms if t.id == term_id), None)

    def search(self, query: str) -> list[Term]:
        """Terms whose name in either language, or definition, contains `query` (any case)."""
        q = query.strip().casefold()
        if not q:
            return list(self.terms)
        return [t for t in self.terms
                if any(q in s.casefold() for s in (t.en, t.ko, t.en_def, t.ko_def, t.id))]


@cache
def load_glossary() -> Glossary:
    text = resources.files("tutor.course").joinpath("glossary.yaml").read_text(encoding="utf-8")
    return Glossary.model_validate(YAML(typ="safe").load(text))


def unknown_glossary_links(text: str) -> list[str]:
    """The term ids that `text` links to but the glossary lacks."""
    glossary = load_glossary()
    return [term for term in LINK.findall(text) if glossary.term(term) is None]
