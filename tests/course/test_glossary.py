"""The glossary: complete in both languages, every term tied to a lesson of the course."""

from __future__ import annotations

from tutor.course.glossary import load_glossary
from tutor.course.loader import load_course
from tutor.paths import REPO_ROOT

# The terms the course's source notes use (issue 18), in the Korean the glossary gives them.
SEED_TERMS = ["자기회귀", "토큰화", "임베딩", "어텐션 헤드", "문맥 길이(컨텍스트 윈도우)", "디코딩 전략",
              "온도", "인코더", "디코더", "미세 조정", "검색 증강 생성(RAG)"]


def test_every_term_names_a_lesson_of_the_course_and_ids_are_unique():
    glossary = load_glossary()
    course = load_course(REPO_ROOT / "lessons")
    ids = [t.id for t in glossary.terms]
    assert len(ids) == len(set(ids))
    unknown = [(t.id, t.lesson) for t in glossary.terms if course.entry(t.lesson) is None]
    assert unknown == []


def test_the_seed_terms_are_in_the_glossary():
    names = {t.ko for t in load_glossary().terms}
    assert [term for term in SEED_TERMS if term not in names] == []


def test_search_finds_a_term_by_either_language():
    glossary = load_glossary()
    assert [t.id for t in glossary.search("자기회귀")] == ["autoregressive"]
    assert "autoregressive" in [t.id for t in glossary.search("Autoregressive")]
    assert len(glossary.search("")) == len(glossary.terms)
