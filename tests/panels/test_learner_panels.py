"""The panels as a learner meets them (issue 13) on the tiny models: controls that fit 80
columns, a wait line naming the model, heat maps that use the room they have, the
embeddings plot, the basic next-token view, small controls, the prediction loop's lines."""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, Switch

from tests.panels.harness import TINY, PanelApp, settle, shown
from tests.panels.test_snapshots import FixedVectorsHub
from tutor.app.engines import EngineHub, Role
from tutor.app.panels.attention import AttentionHeatmap
from tutor.app.panels.embeddings import EmbeddingsPanel
from tutor.app.panels.generation import GenerationPanel
from tutor.app.panels.waiting import WaitLine
from tutor.engine import get_spec

PANELS = ["tokenizer", "embeddings", "attention", "next-token", "generation",
          "prediction-loop"]


def lines(widget: Widget) -> list[str]:
    """The widget's lines as drawn on screen."""
    w, h = widget.size
    return [strip.text for strip in widget.render_lines(Region(0, 0, w, h))]


# -- 3. every control fits 80 columns -------------------------------------------------------
@pytest.mark.parametrize("panel_id", PANELS)
async def test_every_control_is_on_screen_at_80_columns(panel_id: str,
                                                        tiny_hub: EngineHub) -> None:
    app = PanelApp(panel_id, tiny_hub)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        controls = list(app.panel.query("Button, Input, Select, Switch, TextArea"))
        assert controls
        for control in controls:
            if not control.display:
                continue
            assert control.region.width > 0, control
            assert control.region.right <= 80, (control, control.region)


# -- 7. a wait line inside every panel naming the model it waits for ------------------------
class Gate:
    """Engine calls wait here until the test opens the gate; models read as not loaded."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.loaded = False


class GatedEngine:
    def __init__(self, inner: Any, gate: Gate) -> None:
        self.inner = inner
        self.gate = gate

    @property
    def loaded(self) -> bool:
        return self.gate.loaded

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.gate.open.wait(30)
            return target(*args, **kwargs)
        return call


class GatedHub(EngineHub):
    def __init__(self, inner: EngineHub, gate: Gate) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.gate = gate

    def get(self, role: Role) -> Any:
        return GatedEngine(self.inner.get(role), self.gate)


START_KEYS = {"generation": "ctrl+g", "prediction-loop": "s"}
WAITS_FOR: dict[str, list[Role]] = {
    "tokenizer": ["decoder"], "embeddings": ["encoder"], "attention": ["decoder"],
    "next-token": ["decoder"], "generation": ["decoder"], "prediction-loop": ["decoder"]}


@pytest.mark.parametrize("panel_id", PANELS)
async def test_a_waiting_panel_names_the_model_it_loads(panel_id: str,
                                                         tiny_hub: EngineHub) -> None:
    gate = Gate()
    app = PanelApp(panel_id, GatedHub(tiny_hub, gate))
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            await pilot.pause(0.1)
            app.screen.set_focus(None)
            if panel_id in START_KEYS:
                app.panel.query_one(Button).focus()
                await pilot.press(START_KEYS[panel_id])
            await pilot.pause(0.5)
            wait = app.panel.query_one(WaitLine)
            assert wait.display and wait.region.height >= 1
            text = str(wait.render())
            for role in WAITS_FOR[panel_id]:
                assert f"Loading {get_spec(TINY[role]).title}" in text or \
                    get_spec(TINY[role]).title in text
            if panel_id == "generation":  # a long run counts its tokens
                gate.loaded = True
                await pilot.pause(0.3)
                assert "Generating: 0 of at most 32 tokens" in str(wait.render())
        finally:
            gate.open.set()
        await settle(pilot, app)
        assert not app.panel.query_one(WaitLine).region.height


# -- 8. heat maps adapt to the room ---------------------------------------------------------
TWELVE = "The capital of France is Paris and it is"  # 13 tokens on the tiny decoder


async def test_the_heat_map_fits_80_columns_with_horizontal_labels(tiny_hub: EngineHub) -> None:
    app = PanelApp("attention", tiny_hub, {"text": TWELVE})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        heatmap = app.query_one(AttentionHeatmap)
        n = len(heatmap.labels)
        assert 12 <= n <= 20
        # every key column is in view: the query's bars went under the map
        assert heatmap.virtual_size.width <= heatmap.scrollable_content_region.width
        # key labels written across (two staggered rows of them), each one whole
        header = "\n".join(heatmap.render_line(y).text for y in range(2))
        for label in heatmap.labels:
            word = label.lstrip("␣")
            if len(word) < 2 * heatmap.cell:
                assert word in header, (word, header)
        # the title is on a line of its own: the model's name is never broken
        title = get_spec(TINY["decoder"]).title
        assert any(title in line for line in lines(app.panel.query_one("#att-header")))
        heatmap.focus()  # the panel's keys reach it from inside (no step screen here)
        await pilot.press("v")
        await pilot.pause()
        grid = shown(app.panel.query_one("#att-multiples", Static))
        assert "a row is a query token and a column a key token" in grid
        assert "head 0" in grid


async def test_heat_map_cells_grow_with_the_width(tiny_hub: EngineHub) -> None:
    app = PanelApp("attention", tiny_hub, {"text": "The cat sat"})
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        heatmap = app.query_one(AttentionHeatmap)
        assert heatmap.cell > 3
        row = heatmap.row_text(len(heatmap.labels) - 1)
        assert len(row) == 11 + heatmap.cell * len(heatmap.labels)
        # and shrink back, with a scroll, when many tokens do not fit
        app.query_one("#att-input", Input).value = " ".join(["word"] * 80)
        await settle(pilot, app)
        assert heatmap.cell == 3
        assert heatmap.virtual_size.width > heatmap.scrollable_content_region.width


# -- 10. the embeddings plot --------------------------------------------------------------
async def test_embedding_points_that_overlap_share_one_label(tiny_hub: EngineHub) -> None:
    texts = ["river bank", "bank account", "money", "money"]  # 3 and 4: the same point
    app = PanelApp("embeddings", FixedVectorsHub(tiny_hub), {"texts": texts})
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(EmbeddingsPanel)
        labels = [label for label, _ in panel.labels]
        assert "3,4" in labels and "3" not in labels and "4" not in labels
        grid, plot = app.query_one("#emb-grid"), app.query_one("#emb-plot")
        # the plot's axis numbers stand apart from the grid's last column
        assert plot.region.x - grid.region.right >= 2


# -- 11. the basic next-token view for lesson 1 -------------------------------------------
async def test_basic_next_token_hides_what_is_not_taught_yet(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub, {"prompt": "a", "basic": True})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for id in ("#nt-temperature", "#nt-top-k", "#nt-top-p"):
            assert not app.panel.query_one(id).region.width
        bars = shown(app.panel.query_one("#nt-bars", Static))
        info = shown(app.panel.query_one("#nt-info", Static))
        assert "raw" not in bars and "entropy" not in info
        assert "␣ marks a space" in info
        assert app.panel.result["top_token"]  # the task fields are still published


async def test_one_prompt_token_is_singular(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub, {"prompt": "a"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        info = shown(app.panel.query_one("#nt-info", Static))
        assert app.panel.next.prompt_tokens == 1  # type: ignore[attr-defined]
        assert "prompt 1 token" in info and "1 tokens" not in info


# -- 14. small controls ----------------------------------------------------------------------
async def test_small_controls_say_their_value(tiny_hub: EngineHub) -> None:
    app = PanelApp("generation", tiny_hub, {"temperature": 0.8, "top_p": 0.95})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(GenerationPanel)
        app.screen.set_focus(None)
        await pilot.pause()
        assert "0.8" in panel.query_one("#gen-temperature", Input).render_line(0).text
        assert "0.95" in panel.query_one("#gen-top-p", Input).render_line(0).text
        preset = panel.query_one("#gen-preset", Select)
        label = preset.query_one("#label", Static)
        assert str(label.render()).strip() == "none"
        preset.value = "few-shot"
        await pilot.pause()
        assert str(label.render()).strip() == "few-shot"
        assert label.region.width >= len("few-shot")
        state = panel.query_one("#gen-cache-state", Static)
        assert str(state.render()) == "on"
        panel.query_one("#gen-cache", Switch).toggle()
        await pilot.pause()
        assert str(state.render()) == "off"


# -- 15. the prediction loop's lines and the generation plot's axis ----------------------------
async def test_the_loop_keeps_tokens_and_shares_apart(tiny_hub: EngineHub) -> None:
    app = PanelApp("prediction-loop", tiny_hub, {"model": "seq2seq", "text": "30 March 2021"})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        progress = app.panel.query_one("#loop-progress", Static)
        assert progress.size.height == 1 and "step 0 of at most 20" in str(progress.render())
        app.panel.query_one("#loop-step", Button).focus()
        await pilot.press("s")
        await settle(pilot, app)
        looked = shown(app.panel.query_one("#loop-pipeline", Static))
        line = next(x for x in looked.splitlines() if "looked at" in x)
        shares = re.findall(r"\(\d+%\)", line)
        assert len(shares) >= 3
        assert not re.findall(r"(?<![\d(])\d+%", line)  # no digit token runs into a share


async def test_the_time_per_token_plot_counts_whole_positions(tiny_hub: EngineHub,
                                                              monkeypatch: Any) -> None:
    app = PanelApp("generation", tiny_hub, {"max_new_tokens": 7})
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app)
        app.screen.set_focus(None)
        app.panel.query_one(Button).focus()
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        plot_text = "\n".join(lines(app.panel.query_one("#gen-plot")))
        ticks = plot_text.splitlines()[-2]
        assert re.findall(r"\d+", ticks) and not re.search(r"\d\.\d", ticks)
        assert np.array_equal(sorted(map(int, re.findall(r"\d+", ticks)))[-1:], [7])


# -- 2/3. the footer fits 80 columns with any panel's keys in it ---------------------------
async def test_the_lab_footer_fits_80_columns_on_every_panel(tiny_hub: EngineHub) -> None:
    from textual.app import App
    from textual.widgets._footer import FooterKey

    from tutor.app.screens.lab import ORDER, LabScreen

    class LabApp(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.hub = tiny_hub

        def on_mount(self) -> None:
            self.push_screen(LabScreen())

    app = LabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for i, panel_id in enumerate(ORDER, start=1):
            await pilot.press(f"alt+{i}")
            await pilot.pause(0.2)
            screen = app.screen
            assert isinstance(screen, LabScreen)
            panel = screen.key_panel()
            assert panel is not None and panel_id == panel.PANEL_ID
            keys = list(screen.query(FooterKey))
            # every key the panel binds and shows is in the footer, and none is cut
            shown_actions = {k.action for k in keys}
            for binding in panel._bindings.key_to_bindings.values():
                for b in binding:
                    if b.show:
                        assert b.action in shown_actions, (panel_id, b)
            assert all(k.region.right <= 80 for k in keys), panel_id


async def test_the_heat_map_follows_a_light_theme(tiny_hub: EngineHub) -> None:
    from rich.color import Color

    app = PanelApp("attention", tiny_hub, {"text": "The cat sat"})
    async with app.run_test(size=(100, 30)) as pilot:
        app.theme = "textual-light"
        await settle(pilot, app)
        heatmap = app.query_one(AttentionHeatmap)
        # under the two header lines, query 0: its own cell, then the keys it may not see
        segments = list(heatmap.render_line(2))
        blank = [s.style.bgcolor for s in segments if not s.text.strip() and s.style]
        panel = Color.parse(app.theme_variables["panel"])
        assert panel in blank  # the masked cells
        assert Color.parse("grey11") not in blank
