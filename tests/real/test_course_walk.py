"""Walk the whole course in the real app on the real models.

For every lesson in `lessons/`: open it from the app, visit every step in order, and on
every panel and task step wait until the live panel has computed on the real weights
(SmolLM2, MiniLM and the project's dates model) without an error. Where a lesson's text
states what the model does on its preset input, the walk checks it (each expectation below
was read off the real model by hand when the lesson was written). Every task step is
solved the way its hint suggests, so each task is known to be passable.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, SelectionList, Static, Switch, TextArea

from tutor.app.app import TutorApp
from tutor.app.engines import EngineHub
from tutor.app.panels.base import Panel
from tutor.app.screens.lesson import LessonScreen
from tutor.app.widgets.quiz import AnswerInput, QuizView
from tutor.course.loader import load_course
from tutor.course.progress import ProgressStore
from tutor.course.schema import (
    Lesson,
    MultipleQuiz,
    PanelStep,
    ShortQuiz,
    SingleQuiz,
    TaskStep,
    correct_choice_ids,
)
from tutor.settings import Settings

pytestmark = pytest.mark.real

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
COURSE = load_course(LESSONS)
WAIT_S = 240.0  # a busy two-core machine can take minutes for a cold model and a long input
# Generation panels are run with this many new tokens unless the lesson's claim is
# about the output: the point is that the panel works on the real model, not its speed.
SHORT_GENERATION = 2

Result = dict[str, Any]

# (lesson id, step id) -> checks on the panel's result after it has computed. Each one
# restates a claim the lesson makes about the real model on that preset.
EXPECT: dict[tuple[str, str], Callable[[Result], bool]] = {
    ("before-transformers", "live-1"): lambda r: r["top_token"] != "French",
    ("before-transformers", "live-4"): lambda r: r["top_token"] == "Python",
    ("before-transformers", "live-full"): lambda r: r["top_token"] == "French",
    ("tokenization", "live-korean"): lambda r: r["token_count"] == 37,
    ("embeddings-and-position", "live-words"): lambda r: r["count"] == 5
    and r["max_similarity"] > 0.8,
    # the contextual vectors of the token "bank": same-sense pairs above 0.9, all above 0.8
    ("embeddings-and-position", "live-bank"): lambda r: r["token_max_similarity"] > 0.9
    and r["token_min_similarity"] > 0.8,
    ("self-attention", "live-causal"): lambda r: r["causal"],
    ("multi-head-and-the-block", "live-heads"): lambda r: r["causal"] and r["layer"] == 13,
    ("attention-is-all-you-need", "live-map"): lambda r: r["causal"] and r["head"] == 8,
    ("forward-pass", "live-loop"): lambda r: r["output"].strip() == "Paris",
    ("prediction-loop-translation", "live-monday"): lambda r: r["output"] == "2026-11-23"
    and r["stop_reason"] == "eos",
    ("prediction-loop-translation", "live-dayfirst"): lambda r: r["output"] == "2026-11-23"
    and r["stop_reason"] == "eos",
    ("model-families", "live-decoder"): lambda r: r["causal"],
    ("model-families", "live-encoder"): lambda r: not r["causal"],
    ("model-families", "live-encoder-wide"): lambda r: not r["causal"],
    ("prompting", "live-zero"): lambda r: "politics" not in r["text"]
    and "sport" not in r["text"],
    ("prompting", "live-one"): lambda r: r["text"].strip().startswith("sport"),
    ("prompting", "live-few"): lambda r: r["text"].strip().startswith("politics"),
    ("generation-settings", "live-next"): lambda r: r["top_token"] == "a",
    ("forward-pass", "lens-panel"): lambda r: r["final_token"] == "Paris"
    and r["first_top1_layer"] == r["n_layers"] == 30,
}
# Generation steps whose claim is about the output run with the lesson's own settings.
FULL_GENERATION = {("prompting", "live-zero"), ("prompting", "live-one"),
                   ("prompting", "live-few")}
# Prediction-loop steps run to the end (the seq2seq loop is short); others take one step.
RUN_LOOP_TO_END = {"seq2seq"}


async def wait_for(pilot: Pilot[None], what: str, ok: Callable[[], bool],
                   panel: Panel | None = None) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if panel is not None and panel.status.has_class("-error"):
            pytest.fail(f"{what}: the panel shows an error: {panel.status.render()}")
        if ok():
            return
        await pilot.pause(0.1)
    status = panel.status.render() if panel is not None else ""
    pytest.fail(f"{what}: not ready after {WAIT_S:.0f} s (panel status: {status!s})")


def computed(panel: Panel) -> bool:
    """Has the panel's first answer from the model arrived?"""
    r = panel.result
    if not r or panel.has_class("-busy"):
        return False
    return {
        "tokenizer": lambda: "token_count" in r and (r["token_count"] > 0 or not r["text"]),
        "embeddings": lambda: r.get("count", 0) > 0,
        "attention": lambda: r.get("token_count", 0) > 0,
        "next-token": lambda: bool(r.get("top_token")),
        "generation": lambda: r.get("runs", 0) >= 1,
        "prediction-loop": lambda: r.get("steps", 0) >= 1,
        "layers": lambda: r.get("n_layers", 0) > 0,
        "explore": lambda: "perplexity" in r,
    }[panel.PANEL_ID]()


def set_generation_length(panel: Panel, n: int) -> None:
    panel.query_one("#gen-max", Input).value = str(n)


async def drive(pilot: Pilot[None], panel: Panel, key: tuple[str, str]) -> None:
    """Make a panel compute on the real model: some compute on their own, some need a key."""
    if panel.PANEL_ID == "generation":
        if key not in FULL_GENERATION:
            set_generation_length(panel, SHORT_GENERATION)
        panel.action_generate()  # type: ignore[attr-defined]
    elif panel.PANEL_ID == "prediction-loop":
        panel.action_step()  # type: ignore[attr-defined]
        if panel.inputs.get("model") in RUN_LOOP_TO_END:
            for _ in range(int(panel.inputs.get("max_steps", 20))):
                await wait_for(pilot, f"{key} step", lambda: not panel.has_class("-busy"), panel)
                if panel.result.get("finished"):
                    break
                panel.action_step()  # type: ignore[attr-defined]
            await wait_for(pilot, f"{key} finished", lambda: panel.result.get("finished"),
                           panel)
    await wait_for(pilot, f"{key} computed", lambda: computed(panel), panel)


# -- how each task is solved: the way its hint says ---------------------------------------
def type_into(selector: str, text: str) -> Callable[[Panel], Awaitable[None]]:
    async def solve(panel: Panel) -> None:
        panel.query_one(selector, Input).value = text
    return solve


async def solve_prompting(panel: Panel) -> None:
    panel.query_one("#gen-prompt", TextArea).text = (
        "Text: The striker scored twice in the final minutes.\nTopic: sport\n\n"
        "Text: Parliament passed the new budget.\nTopic: politics\n\n"
        "Text: The senator resigned after the scandal.\nTopic:")
    panel.action_generate()  # type: ignore[attr-defined]


def solve_attention(layer: int, head: int, query: str, text: str | None = None
                    ) -> Callable[[Panel], Awaitable[None]]:
    """Type `text` (if given), wait for its maps, then select `query` on layer/head."""
    async def solve(panel: Panel) -> None:
        p: Any = panel
        if text is not None:
            panel.query_one("#att-input", Input).value = text
        deadline = time.monotonic() + WAIT_S
        while (p.maps is None or panel.has_class("-busy")
               or (text is not None and p.text != text)):
            if time.monotonic() > deadline:
                pytest.fail(f"attention maps for {text!r} did not arrive")
            await asyncio.sleep(0.1)
        words = [t.replace("␣", " ").strip() for t in p.maps.tokens]
        p.sel_layer, p.sel_head, p.row = layer, head, words.index(query)
        p.redraw()
    return solve


def solve_loop(text: str) -> Callable[[Panel], Awaitable[None]]:
    """Type `text` into the prediction loop and step until the model ends it."""
    async def solve(panel: Panel) -> None:
        p: Any = panel
        panel.query_one("#loop-input", Input).value = text
        deadline = time.monotonic() + WAIT_S
        # the result may still be the preset's finished loop until the new text resets it
        while not (panel.result.get("text") == text and panel.result.get("finished")):
            if time.monotonic() > deadline:
                pytest.fail(f"the loop on {text!r} did not finish")
            if not panel.has_class("-busy") and p.text == text:
                p.action_step()
            await asyncio.sleep(0.2)
    return solve


def solve_texts(*texts: str) -> Callable[[Panel], Awaitable[None]]:
    async def solve(panel: Panel) -> None:
        panel.query_one("#emb-texts", TextArea).text = "\n".join(texts)
    return solve


async def solve_loop_prompt(panel: Panel) -> None:
    panel.query_one("#gen-prompt", TextArea).text = "I"
    set_generation_length(panel, 40)
    panel.action_generate()  # type: ignore[attr-defined]


async def solve_chat(panel: Panel) -> None:
    panel.query_one("#gen-chat", Switch).value = True
    panel.action_generate()  # type: ignore[attr-defined]


async def solve_cache(panel: Panel) -> None:
    panel.action_compare()  # type: ignore[attr-defined]


async def solve_off_greedy(panel: Panel) -> None:
    """Append the second candidate twice: greedy takes the first."""
    for _ in range(2):
        while panel.has_class("-busy"):
            await asyncio.sleep(0.1)
        panel.action_move(1)  # type: ignore[attr-defined]
        panel.action_append()  # type: ignore[attr-defined]


# (lesson id, step id) -> what the panel must report once its task is solved. The cache
# comparison must have finished both ways (its runs count only once it has); its speed-up
# is 0 when the machine was too noisy to conclude, and which side was faster is a timing
# outcome, which belongs in bench/, not in a test.
AFTER_TASK: dict[tuple[str, str], Callable[[Result], bool]] = {
    ("kv-cache-and-streaming", "task-compare"): lambda r: r["runs_cached"] >= 3
    and r["runs_uncached"] >= 3 and 0 <= r["cache_speedup"] < float("inf"),
}

SOLUTIONS: dict[tuple[str, str], Callable[[Panel], Awaitable[None]]] = {
    ("before-transformers", "task-short"): type_into("#nt-prompt",
                                                     "She is French. Her language is"),
    ("attention-is-all-you-need", "task-pronoun"): solve_attention(
        13, 8, "it", "The car would not start because it was cold"),
    ("tokenization", "task-split"): type_into("#tok-input", "unbelievably"),
    ("tokenization", "task-expensive"): type_into("#tok-input", "안녕하세요, 만나서 반갑습니다"),
    ("embeddings-and-position", "task-opposites"): solve_texts("black", "white"),
    ("self-attention", "task-previous"): solve_attention(
        16, 0, "bicycle", "My sister bought a new red bicycle yesterday"),
    ("multi-head-and-the-block", "task-sink"): solve_attention(20, 6, "it"),
    ("forward-pass", "task-stop"): solve_loop("What is 2+2?"),
    ("prediction-loop-translation", "task-fail"): solve_loop("31 February 2026"),
    ("model-families", "task-look-ahead"): solve_attention(1, 8, "it"),
    ("prompting", "task-fix"): solve_prompting,
    ("generation-settings", "task-impossible"): type_into("#nt-top-k", "2"),
    ("generation-settings", "task-deterministic"): type_into("#nt-temperature", "0"),
    ("generation-settings", "task-loop"): solve_loop_prompt,
    ("kv-cache-and-streaming", "task-compare"): solve_cache,
    ("using-llms", "task-labels"): solve_texts(
        "What a waste of two hours.", "positive",
        "negative: a review of a film the writer hated"),
    ("project-lifecycle", "task-chat"): solve_chat,
    ("forward-pass", "task-early-answer"): type_into("#ly-prompt", "My favourite food is"),
    ("generation-settings", "task-off-greedy"): solve_off_greedy,
    ("generation-settings", "task-surprise"): type_into(
        "#ex-prompt", "Colorless green ideas sleep furiously."),
    ("generation-settings", "task-predictable"): type_into(
        "#ex-prompt", "The capital of France is Paris."),
}


async def answer_quiz(pilot: Pilot[None], screen: LessonScreen,
                      step: SingleQuiz | MultipleQuiz | ShortQuiz) -> None:
    """Answer a quiz right through its widgets (a lesson is done only when its quizzes
    are answered), and check the app grades the author's answer as right."""
    quiz = screen.query_one(QuizView)
    if isinstance(step, ShortQuiz):
        spec = step.answer
        text = f"{spec.number:g}" if spec.number is not None else (spec.text or [""])[0]
        screen.query_one(AnswerInput).value = text
    else:
        right = correct_choice_ids(step)
        for j, choice in enumerate(step.choices):
            if choice.id not in right:
                continue
            if isinstance(step, SingleQuiz):
                screen.query_one(f"#choice-{j}", RadioButton).value = True
            else:
                screen.query_one(SelectionList).select(j)
    await pilot.pause()
    quiz.submit()
    await pilot.pause()
    assert screen.query_one("#verdict", Static).has_class("-right"), step.id


@pytest.fixture(scope="module")
def hub() -> EngineHub:
    # One set of real engines for the whole walk: loading them once saves minutes.
    return EngineHub(Settings.build({"decoder": "smollm2", "encoder": "minilm",
                                     "seq2seq": "dates"}))


def test_the_course_loads_without_errors() -> None:
    assert not COURSE.all_errors, "\n".join(str(e) for e in COURSE.all_errors)
    assert len(COURSE.lessons) == 14
    assert [e.path.name[:2] for e in COURSE.entries] == [f"{n:02d}" for n in range(1, 15)]


def test_every_task_has_a_solution_in_this_walk() -> None:
    tasks = {(lesson.id, s.id) for lesson in COURSE.lessons for s in lesson.steps
             if isinstance(s, TaskStep)}
    assert tasks == set(SOLUTIONS)
    panels = {(lesson.id, s.id) for lesson in COURSE.lessons for s in lesson.steps
              if isinstance(s, PanelStep)}
    assert set(EXPECT) <= panels, set(EXPECT) - panels


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.id)
async def test_walk_lesson(lesson: Lesson, hub: EngineHub) -> None:
    app = TutorApp(lessons_path=LESSONS, hub=hub, load_model=False)
    async with app.run_test(size=(140, 50)) as pilot:
        app.open_lesson(lesson.id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen) and screen.lesson.id == lesson.id
        for index, step in enumerate(lesson.steps):
            assert screen.index == index
            counter = str(screen.query_one("#step-counter", Static).render())
            assert counter.startswith(f"Step {index + 1}/{len(lesson.steps)}")
            key = (lesson.id, step.id)
            if isinstance(step, PanelStep | TaskStep):
                # earlier steps' panels are kept, hidden, so their results survive a return
                panels = [p for p in screen.query(Panel) if p.parent is not None and
                          all(a.display for a in p.ancestors_with_self if a is not app)]
                assert len(panels) == 1, f"{key}: expected one live panel, found {panels}"
                panel = panels[0]
                assert step.panel == panel.PANEL_ID
                await drive(pilot, panel, key)
                if key in EXPECT:
                    assert EXPECT[key](panel.result), f"{key}: {panel.result}"
                if isinstance(step, TaskStep):
                    await SOLUTIONS[key](panel)
                    status = screen.query_one("#task-status", Static)
                    await wait_for(pilot, f"{key} task passed",
                                   lambda s=status: s.has_class("-passed"), panel)
                    if key in AFTER_TASK:
                        await wait_for(pilot, f"{key} reported",
                                       lambda p=panel, k=key: AFTER_TASK[k](p.result), panel)
            if isinstance(step, SingleQuiz | MultipleQuiz | ShortQuiz):
                await answer_quiz(pilot, screen, step)
            await screen.action_next_step()
            await pilot.pause()
        # the last "next" completes the lesson (every quiz is answered) and returns to the map
        assert not isinstance(app.screen, LessonScreen)
    store = ProgressStore.open(Settings.load().progress_path)
    try:
        progress = store.lesson(lesson.id)
        tasks = {s.id for s in lesson.steps if isinstance(s, TaskStep)}
        assert tasks <= set(progress.done_steps)
        assert progress.completed
    finally:
        store.close()
