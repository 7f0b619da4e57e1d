"""The `exercise` step kind in lesson files, and passed exercises in the progress store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tutor.course import progress
from tutor.course.loader import load_course, load_lesson
from tutor.course.progress import ProgressStore
from tutor.course.schema import ExerciseStep
from tutor.exercises.catalog import EXERCISES, reference_text, starter_text
from tutor.paths import lessons_dir

LESSON = """\
id: code
title: Code
summary: Exercises.
objectives: [Write code.]
minutes: 5
steps:
  - id: ok
    kind: exercise
    title: Softmax
    exercise: softmax
    body: Write it.
  - id: typo
    kind: exercise
    exercise: softmaks
    body: Write it.
  - id: no-body
    kind: exercise
    exercise: rope
"""


def test_exercise_steps_are_validated_with_their_location(tmp_path: Path) -> None:
    path = tmp_path / "01-code.yaml"
    path.write_text(LESSON)
    entry = load_lesson(path)
    errors = [str(e) for e in entry.errors]
    assert any(":14:5: steps[1].exercise: unknown exercise 'softmaks'" in e for e in errors), \
        errors
    assert any("steps[2].body: missing required field" in e for e in errors), errors
    assert len(errors) == 2


def test_every_exercise_is_in_its_lesson_once() -> None:
    course = load_course(lessons_dir())
    found = {}
    for entry in course.entries:
        assert entry.lesson is not None, entry.errors
        for step in entry.lesson.steps:
            if isinstance(step, ExerciseStep):
                assert step.exercise not in found
                found[step.exercise] = entry.id
    assert found == {e.id: e.lesson for e in EXERCISES.values()}


def test_starters_have_the_signature_and_no_body_and_references_differ() -> None:
    signatures = {
        "softmax": "def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:",
        "top-k-top-p": "def filter_probs(probs: np.ndarray, top_k: int = 0, "
                       "top_p: float = 1.0) -> np.ndarray:",
        "attention": "def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,\n"
                     "              causal: bool) -> tuple[np.ndarray, np.ndarray]:",
        "bpe": "def bpe_merge(symbols: list[str], ranks: dict[tuple[str, str], int]) -> "
               "list[str]:",
        "kv-cache": "def generate(step, prompt_ids: list[int], n: int) -> list[int]:",
        "rope": "def rotate(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> "
                "np.ndarray:",
        "mean-pool": "def sentence_embedding(token_vectors: np.ndarray, mask: np.ndarray) -> "
                     "np.ndarray:",
    }
    assert set(signatures) == set(EXERCISES)
    for exercise_id, signature in signatures.items():
        exercise = EXERCISES[exercise_id]
        starter = starter_text(exercise)
        assert signature in starter, exercise_id
        assert starter.rstrip().endswith("..."), exercise_id
        assert signature.split("(")[0] in reference_text(exercise)


def test_passed_exercises_are_stored_reset_with_their_lesson_and_migrated(
        tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    # a store from before exercises (schema 1) with an answer in it
    conn = sqlite3.connect(path)
    conn.executescript(progress.MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute("INSERT INTO answers VALUES ('a', 'q', '\"x\"', 1, 1, 1, 0)")
    conn.commit()
    conn.close()
    store = ProgressStore.open(path)
    assert store.notices == []
    assert store.lesson("a").answers["q"].answer == "x"
    store.record_exercise_passed("rope", "embeddings-and-position")
    store.record_exercise_passed("rope", "embeddings-and-position")  # once is enough
    store.record_exercise_passed("bpe", "tokenization")
    assert store.passed_exercises() == {"rope", "bpe"}
    assert store.lesson("tokenization").to_json()["exercises_passed"] == ["bpe"]
    store.reset("tokenization")
    assert store.passed_exercises() == {"rope"}
    store.reset()
    assert store.passed_exercises() == set()
    store.close()
