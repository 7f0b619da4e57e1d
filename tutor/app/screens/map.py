"""The course map: every lesson in order, its status and quiz score, overall progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Markdown, ProgressBar, Static

from tutor.app.keys import TranslatedKeys
from tutor.app.widgets.model_status import ModelStatus
from tutor.course.summary import STATUS_WORDS, course_summary
from tutor.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from tutor.app.app import TutorApp

STATUS_MARK = {"new": "·", "in progress": "▶", "done": "✓", "broken": "⚠"}


def clip(text: str, width: int) -> Text:
    """`text` in at most `width` terminal cells, an ellipsis where it was cut (Hangul takes
    two cells a syllable, so counting characters would overrun the column)."""
    shown = Text(text)
    if cell_len(text) > width:
        shown.truncate(max(1, width), overflow="ellipsis")
    return shown


class MapScreen(TranslatedKeys, Screen[None]):
    CSS_PATH = "map.tcss"
    BINDINGS = [
        Binding("enter", "open_lesson", N_("Open"), id="map.open", priority=True),
        # the app's own keys, shown here where the footer has room for them
        Binding("q", "app.quit", N_("Quit"), id="map.quit"),
        Binding("l", "app.lab", N_("Lab"), id="map.lab"),
        Binding("L", "app.switch_language", N_("Language"), show=False, id="map.language"),
    ]

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="map-body"):
            yield Static("", id="course-heading")
            yield ProgressBar(id="course-progress", show_eta=False)
            table: DataTable[str] = DataTable(id="lessons", cursor_type="row", zebra_stripes=True)
            yield table
            with VerticalScroll(id="lesson-detail"):
                yield Markdown("", id="detail-text")
            yield ModelStatus(id="model-status")
        # compact, and ^p lives in the help: the footer must fit 80 columns with a
        # panel's keys in it
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#lessons", DataTable)
        # no minutes column: the detail pane says them, and at 80 columns it pushed the
        # scores off the table's edge
        table.add_columns("#", _("Lesson"), _("Status"), _("Quiz"))
        self.refresh_course(highlight=self.tutor.store.last_lesson())
        table.focus()

    def on_screen_resume(self) -> None:
        finished, self.tutor.finished_lesson = self.tutor.finished_lesson, None
        self.refresh_course(highlight=self._after(finished) if finished else None)

    def _after(self, lesson_id: str) -> str:
        """The lesson after `lesson_id` (itself when it is the last): where to go next."""
        ids = [e.id for e in self.tutor.course.entries]
        if lesson_id not in ids:
            return lesson_id
        return ids[min(ids.index(lesson_id) + 1, len(ids) - 1)]

    def refresh_course(self, highlight: str | None = None) -> None:
        """Re-read progress and redraw the table, keeping (or moving to) a highlighted lesson."""
        table = self.query_one("#lessons", DataTable)
        current = highlight or self._highlighted_id()
        summary = course_summary(self.tutor.course, self.tutor.store.all())
        self.rows: list[dict[str, Any]] = summary["lessons"]
        table.clear()
        cells: list[tuple[str, str, str, str]] = []
        for n, row in enumerate(self.rows, start=1):
            quiz = f"{row['score']}/{row['quizzes']}" if row["quizzes"] and row["answered"] else ""
            if row["exercises"]:
                code = _("code {passed}/{total}").format(passed=len(row["exercises_passed"]),
                                                         total=len(row["exercises"]))
                quiz = f"{quiz} · {code}" if quiz else code
            word = STATUS_WORDS.get(row["status"])
            status = f"{STATUS_MARK.get(row['status'], '')} {_(word) if word else row['status']}"
            if row["status"] == "in progress":  # how far the learner got, not where they are
                status = f"{STATUS_MARK['in progress']} " + ngettext(
                    "{reached}/{total} step", "{reached}/{total} steps", row["steps"]).format(
                        reached=max(row["furthest"], row["step"]) + 1, total=row["steps"])
            cells.append((str(n), row["title"], status, quiz))
        # titles give way (with an ellipsis) so every column fits the table's width
        self._cells = cells
        room = self._room = self._title_room(cells)
        for i, (num, title, status, quiz) in enumerate(cells):
            table.add_row(num, clip(title, room), status, quiz, key=str(i))
        done, total = summary["done"], summary["total"]
        self.query_one("#course-heading", Static).update(Text(
            ngettext("{title}: {done} of {total} lesson done",
                     "{title}: {done} of {total} lessons done", total).format(
                         title=self.app.title, done=done, total=total) if total
            else _("No lessons found in {folder}. The course ships in the repository's "
                   "lessons/ folder: run the tutor from a clone, or set TUTOR_LESSONS_DIR "
                   "to a folder of lesson files.").format(folder=self.tutor.lessons_path)))
        bar = self.query_one("#course-progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        if current is not None:
            for i, row in enumerate(self.rows):
                if row["id"] == current:
                    table.move_cursor(row=i)
                    break
        self._show_detail(table.cursor_row)

    def _title_room(self, cells: list[tuple[str, str, str, str]]) -> int:
        width = self.query_one("#lessons", DataTable).size.width or self.app.size.width - 2
        # the widest cell of each other column, its header included, in terminal cells
        headers = ("#", _("Lesson"), _("Status"), _("Quiz"))
        others = sum(max(cell_len(c[i]) for c in [headers, *cells]) for i in (0, 2, 3))
        # each column has a cell of padding either side; one more for the scroll bar
        return max(12, width - others - 2 * 4 - 2)

    def on_resize(self) -> None:
        # after the first fill, when the titles get more or less room than they have
        if hasattr(self, "rows") and self._title_room(self._cells) != self._room:
            self.refresh_course()

    def _highlighted_id(self) -> str | None:
        table = self.query_one("#lessons", DataTable)
        rows = getattr(self, "rows", [])
        if 0 <= table.cursor_row < len(rows):
            return str(rows[table.cursor_row]["id"])
        return None

    def _set_detail(self, text: str) -> None:
        """The detail pane's text, set only when it changes: a second update of the same
        text while the first was still being laid out left the pane blank."""
        if getattr(self, "_detail_text", None) != text:
            self._detail_text = text
            self.query_one("#detail-text", Markdown).update(text)

    def _show_detail(self, index: int) -> None:
        entries = self.tutor.course.entries
        if not 0 <= index < len(entries):
            self._set_detail("")
            return
        entry = entries[index]
        if entry.lesson is None or entry.errors:
            lines = [_("**{file} is broken** and cannot be opened:").format(
                file=entry.path.name), ""]
            lines += [f"- `{err}`" for err in entry.errors[:8]]
            if len(entry.errors) > 8:
                more = len(entry.errors) - 8
                lines.append("- " + ngettext("… and {count} more (run `tutor check`)",
                                             "… and {count} more (run `tutor check`)",
                                             more).format(count=more))
            self._set_detail("\n".join(lines))
            return
        lesson = entry.lesson
        objectives = "\n".join(f"- {o}" for o in lesson.objectives)
        minutes = ngettext("about {minutes} min", "about {minutes} min",
                           lesson.minutes).format(minutes=lesson.minutes)
        text = (f"**{lesson.title}** · {minutes}\n\n{lesson.summary}\n\n"
                + _("You will be able to:") + f"\n\n{objectives}")
        if lesson.references:
            refs = "\n".join(f"- {r.authors} ({r.year}). [{r.title}]({r.link})"
                             for r in lesson.references)
            text += "\n\n" + _("References:") + f"\n\n{refs}"
        self._set_detail(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # refilling the table highlights row 0 before the cursor moves to the learner's
        # lesson; that late event would describe lesson 1 under a cursor on another
        if event.cursor_row != event.data_table.cursor_row:
            return
        self._show_detail(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.cursor_row)

    def action_open_lesson(self) -> None:
        table = self.query_one("#lessons", DataTable)
        if table.has_focus:
            # the table opens the row itself (RowSelected), taking enter in turn after any
            # arrow keys still on their way to it (typed together, or batched by a slow SSH
            # link); this priority binding would open the row before they moved the cursor
            raise SkipAction()
        self._open(table.cursor_row)

    def _open(self, index: int) -> None:
        entries = self.tutor.course.entries
        if not 0 <= index < len(entries):
            return
        entry = entries[index]
        if entry.lesson is None or entry.errors:
            first = entry.errors[0] if entry.errors else _("unknown error")
            self.notify(_("This lesson is broken: {error}").format(error=first),
                        severity="error", title=entry.path.name)
            return
        self.tutor.open_lesson(entry.id)
