"""Quiz choices in an order shuffled per learner, stable across restarts; answers are kept
by choice id, so they come back right under another order."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import RadioButton, RadioSet, SelectionList

from tutor.app.app import TutorApp
from tutor.app.widgets.quiz import QuizView
from tutor.course.progress import LEARNER_ID, ProgressStore
from tutor.course.shuffle import choice_order
from tutor.settings import Settings

IDS = ["two", "four", "five"]  # q-primes as authored


def learner_with(order_differs_from: list[int]) -> str:
    """A learner id whose order for q-primes is not the given one."""
    for n in range(100):
        if choice_order(f"learner-{n}", "first-steps", "q-primes", 3) != order_differs_from:
            return f"learner-{n}"
    raise AssertionError("no such learner")


async def open_primes(app: TutorApp, pilot) -> QuizView:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    return app.screen.query_one(QuizView)


async def test_order_is_per_learner_stable_and_answers_follow_ids(course_env: Path) -> None:
    learner = learner_with([0, 1, 2])
    expected = choice_order(learner, "first-steps", "q-primes", 3)
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting(LEARNER_ID, learner)
    store.record_position("first-steps", "q-primes", 2)
    store.record_answer("first-steps", "q-primes", ["two", "five"], True)
    store.close()
    for _ in range(2):  # a restart shows the same order
        app = TutorApp(load_model=False)
        async with app.run_test(size=(100, 32)) as pilot:
            quiz = await open_primes(app, pilot)
            assert quiz.order == expected
            options = app.screen.query_one(SelectionList)
            shown = [str(options.get_option_at_index(i).prompt) for i in range(3)]
            assert shown == [["2", "4", "5"][j] for j in expected]
            # the saved answer is restored by id, whatever the positions
            assert sorted(options.selected) == [0, 2]
            assert quiz.current_answer() == ["two", "five"]
            # the explanations list the choices in the order shown
            source = quiz.query_one("#explanations").source  # type: ignore[attr-defined]
            lines = [line for line in source.splitlines() if line.startswith("- **")]
            assert [line[4] for line in lines] == [["2", "4", "5"][j] for j in expected]

    # another learner: another order, and the same saved answer still restores right
    other = learner_with(expected)
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting(LEARNER_ID, other)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        quiz = await open_primes(app, pilot)
        assert quiz.order == choice_order(other, "first-steps", "q-primes", 3) != expected
        assert quiz.current_answer() == ["two", "five"]


async def test_single_choice_answer_is_the_choice_clicked_not_its_position(
        course_env: Path) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    learner = next(f"l{n}" for n in range(100)
                   if choice_order(f"l{n}", "first-steps", "q-capital", 2) == [1, 0])
    store.set_setting(LEARNER_ID, learner)
    store.record_position("first-steps", "q-capital", 1)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        radios = app.screen.query_one(RadioSet)
        assert [str(b.label) for b in radios.query(RadioButton)] == ["Lyon", "Paris"]
        await pilot.press("enter")  # the first shown: Lyon
        await pilot.click("#check")
        await pilot.pause()
    store = ProgressStore.open(Settings.load().progress_path)
    assert store.lesson("first-steps").answers["q-capital"].answer == "lyon"
    store.close()


def test_a_learner_id_is_made_once_and_survives_a_reset(tmp_path: Path) -> None:
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    first = store.learner_id()
    assert len(first) >= 16
    store.reset()
    assert store.learner_id() == first
    store.close()
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    assert store.learner_id() == first
    store.close()
    other = ProgressStore.open(tmp_path / "q.sqlite3")
    assert other.learner_id() != first
    other.close()


def test_orders_are_permutations_spread_over_positions() -> None:
    orders = [choice_order(f"learner-{n}", "lesson", "q", 4) for n in range(400)]
    assert all(sorted(o) == [0, 1, 2, 3] for o in orders)
    # the authored first choice lands in each position about a quarter of the time
    where = [o.index(0) for o in orders]
    assert all(60 <= where.count(p) <= 140 for p in range(4))
    # steps of the same learner are shuffled independently
    assert len({tuple(choice_order("one", "lesson", f"q{n}", 4)) for n in range(40)}) > 5
    assert choice_order("one", "lesson", "q", 4) == choice_order("one", "lesson", "q", 4)


async def test_a_right_first_answer_stays_right_when_checked_again(course_env: Path) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "q-capital", 1)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#choice-0")  # Paris, first time
        await pilot.click("#check")
        await pilot.pause()
        await pilot.click("#check")  # again, after the explanations
        await pilot.pause()
        verdict = app.screen.query_one("#verdict")
        assert verdict.has_class("-right") and not verdict.has_class("-revealed")
    store = ProgressStore.open(Settings.load().progress_path)
    saved = store.lesson("first-steps").answers["q-capital"]
    assert (saved.correct, saved.first_correct, saved.attempts) == (True, True, 2)
    store.close()
