"""Run as a script by the app crash test: the tutor, headless, answering quizzes forever.

    python app_driver.py START

Opens the first lesson (resuming), goes to the short-answer quiz and answers START,
START + 1, ... printing `committed N` after each answer has been handled by the app.
"""

from __future__ import annotations

import asyncio
import sys

from tutor.app.app import TutorApp
from tutor.app.widgets import steps
from tutor.app.widgets.quiz import AnswerInput


async def main(start: int) -> None:
    steps.panel_class = lambda panel_id: None  # type: ignore[assignment]
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        while app.screen.query("#step-counter") and "Step 4/" not in str(
                app.screen.query_one("#step-counter").render()):
            await pilot.press("n")
            await pilot.pause()
        print("ready", flush=True)
        n = start
        while True:
            box = app.screen.query_one(AnswerInput)
            box.value = str(n)
            box.focus()
            await pilot.press("enter")
            await pilot.pause()
            print(f"committed {n}", flush=True)
            n += 1


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
