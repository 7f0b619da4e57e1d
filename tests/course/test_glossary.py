"""The glossary: complete in both languages, every term tied to a lesson of the course."""

from __future__ import annotations

from tutor.course.glossary import LINK, load_glossary
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


def test_a_link_to_an_unknown_term_is_a_lesson_error(tmp_path):
    source = (REPO_ROOT / "tests" / "fixtures" / "lessons" / "01-first-steps.yaml").read_text(
        encoding="utf-8")
    broken = source.replace("A model reads **token ids**.",
                            "A model reads [token ids](glossary:token-idz).")
    path = tmp_path / "01-first-steps.yaml"
    path.write_text(broken, encoding="utf-8")
    entry = load_course(tmp_path).entries[0]
    assert [(e.line, e.field, e.message) for e in entry.errors] == [
        (16, "steps[0].body", "no glossary term 'token-idz' (tutor/course/glossary.yaml)")]


def test_the_course_links_its_terms_and_every_link_resolves():
    course = load_course(REPO_ROOT / "lessons")
    assert course.all_errors == []
    text = "".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "lessons").glob("*.yaml"))
    linked = set(LINK.findall(text))
    assert len(linked) >= 40
