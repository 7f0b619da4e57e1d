"""The command line in Korean: chosen by --lang, TUTOR_LANG, the choice saved in the app or
the locale; human output, usage errors and the engine's messages in Korean; `--json`
byte-identical in every language; Korean columns lined up by terminal cells."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from tutor.cli import main
from tutor.course.progress import ProgressStore
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "tests" / "fixtures" / "lessons"
BROKEN = ROOT / "tests" / "fixtures" / "broken"


@pytest.fixture(autouse=True)
def _lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))


def tutor(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _some_progress() -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "q-primes", 2)
    store.record_answer("first-steps", "q-capital", "paris", True)
    store.complete_lesson("second")
    store.close()


def test_progress_in_korean_lines_its_columns_up_by_terminal_cells() -> None:
    _some_progress()
    result = tutor("--lang", "ko", "progress")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == "강의 2개 중 1개 완료"
    first, second = lines[0], lines[1]
    assert "진행 중" in first and "단계 3/7" in first and "퀴즈 1/3" in first
    assert "완료" in second
    # the quiz column starts at the same terminal cell in every row, though "진행 중" is
    # 3 characters in 7 cells and "완료" 2 characters in 4
    starts = [cell_len(line[:line.index("퀴즈")]) for line in lines[:2]]
    assert starts[0] == starts[1]
    assert [line.index("퀴즈") for line in lines[:2]] != starts  # len() would misalign


def test_check_reports_in_korean_with_file_line_and_field_kept() -> None:
    ok = tutor("--lang", "ko", "check", str(ROOT / "lessons"))
    assert ok.exit_code == 0, ok.output
    count = len(list((ROOT / "lessons").glob("*.yaml")))
    assert f"통과: 강의 파일 {count}개, 오류 없음" in ok.stderr
    assert ok.stdout.startswith("단서 통계:")
    assert f"  강의 {count}개 전체: 가장 긴 보기가 정답 " in ok.stdout

    broken = tutor("--lang", "ko", "check", str(BROKEN))
    assert broken.exit_code == 1
    english = tutor("--lang", "en", "check", str(BROKEN))
    n = len(list(BROKEN.glob("*.yaml")))
    assert f"강의 파일 {n}개 중 {n}개에서 오류" in broken.stderr
    # the same errors at the same file:line:col and field, whatever the language
    def where(output: str) -> list[str]:
        return [":".join(line.split(":")[:4]) for line in output.splitlines()
                if ".yaml:" in line and "warning" not in line]
    assert where(broken.stdout) == where(english.stdout) != []


def test_a_usage_error_is_one_korean_line_with_status_2() -> None:
    result = tutor("--lang", "ko", "next", "hi", "--top-k", "x")
    assert result.exit_code == 2
    # Click's own sentence ("'x' is not a valid integer.") is not shown: the value it names is
    assert result.stderr == ("tutor next: --top-k에 'x' 값은 쓸 수 없습니다. 받을 수 있는 값: "
                             "40 같은 정수\n")
    out_of_range = tutor("--lang", "ko", "serve", "--port", "70000")
    assert out_of_range.stderr == ("tutor serve: --port에 70000 값은 쓸 수 없습니다. 받을 수 있는 "
                                   "값: 1부터 65535까지의 정수\n")
    unknown = tutor("--lang", "ko", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("tutor: 없는 명령입니다: 'nope'. 있는 명령: attention,")


def test_a_missing_model_says_in_korean_how_to_fetch_it(tmp_path: Path) -> None:
    result = tutor("--lang", "ko", "next", "hi", env={"TUTOR_CACHE_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert result.stderr == ("tutor: SmolLM2-135M-Instruct 모델을 아직 받지 않았습니다. "
                             "받는 명령: tutor models fetch smollm2\n")
    table = tutor("--lang", "ko", "models", env={"TUTOR_CACHE_DIR": str(tmp_path)})
    assert table.stdout.count("없음 (tutor") == 2 and "missing" not in table.stdout


def test_the_locale_alone_chooses_korean_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TUTOR_LANG", "LC_ALL", "LC_MESSAGES")}
    env.update(PYTHONPATH=str(ROOT), LANG="ko_KR.UTF-8")
    done = subprocess.run([sys.executable, "-m", "tutor", "progress"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "강의 2개 중 0개 완료"
    env["LANG"] = "en_US.UTF-8"
    done = subprocess.run([sys.executable, "-m", "tutor", "progress"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "0/2 lessons done"


def test_the_choice_saved_in_the_app_wins_over_the_locale_and_loses_to_the_flag() -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting("language", "ko")
    store.close()
    assert tutor("progress", env={"LANG": "en_US.UTF-8"}).stdout.splitlines()[-1] == \
        "강의 2개 중 0개 완료"
    assert tutor("--lang", "en", "progress").stdout.splitlines()[-1] == "0/2 lessons done"
    assert tutor("progress", env={"TUTOR_LANG": "en"}).stdout.splitlines()[-1] == \
        "0/2 lessons done"


def test_no_saved_choice_reads_without_creating_a_store(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    result = tutor("--data-dir", str(data), "--lang", "ko", "tokens", "hi", "-m", "dates",
                   "--json")
    assert result.exit_code == 0, result.output
    assert not (data / "progress.sqlite3").exists()
    result = tutor("--data-dir", str(data), "tokens", "hi", "-m", "dates", "--json",
                   env={"LANG": "ko_KR.UTF-8"})
    assert result.exit_code == 0 and not (data / "progress.sqlite3").exists()


@pytest.mark.parametrize("args", [
    ["progress", "--json"],
    ["progress", "--all", "--json"],
    ["models", "--json"],
    ["exercise", "list", "--json"],
    ["tokens", "안녕하세요, the cat", "-m", "dates", "--json"],
    # a notice inside the answer: the greedy-temperature one
    ["next", "The cat", "-m", "tiny-llama", "-t", "1e-9", "--top", "3", "--json"],
    ["translate", "March 3rd 2021", "--json"],
])
def test_json_is_byte_identical_in_every_language(args: list[str]) -> None:
    _some_progress()
    english = tutor("--lang", "en", *args)
    korean = tutor("--lang", "ko", *args)
    by_locale = tutor(*args, env={"LANG": "ko_KR.UTF-8"})
    assert english.exit_code == korean.exit_code == by_locale.exit_code == 0, korean.output
    assert _steady(english.stdout) == _steady(korean.stdout) == _steady(by_locale.stdout)
    if args[0] == "next":
        assert "treated as 0 (greedy)" in json.loads(korean.stdout)["notice"]


def _steady(text: str) -> str:
    """The answer less what differs between any two runs (timings, in ms)."""
    def drop(value: object) -> object:
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if not k.endswith("ms")}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value
    return json.dumps(drop(json.loads(text)), ensure_ascii=False, indent=2)


def test_a_json_commands_error_line_is_english_too() -> None:
    result = tutor("--lang", "ko", "tokens", " ", "-m", "dates", "--json")
    assert result.exit_code == 2
    assert result.stderr == "tutor: the text is empty: give the model something to read\n"
    result = tutor("--lang", "ko", "tokens", " ", "-m", "dates")
    assert result.stderr == "tutor: 텍스트 입력이 비어 있습니다. 모델이 읽을 내용을 넣어 주세요\n"


def test_a_korean_rich_table_keeps_every_row_the_same_width() -> None:
    result = tutor("--lang", "ko", "tokens", "안녕하세요 여러분", "-m", "dates")
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.strip()][1:]
    assert "조각" in rows[1] and len({cell_len(r) for r in rows}) == 1


def test_a_progress_store_notice_is_in_korean() -> None:
    import sqlite3

    path = Settings.load().progress_path
    path.parent.mkdir(parents=True, exist_ok=True)
    newer = sqlite3.connect(path)
    newer.execute("PRAGMA user_version = 99")
    newer.close()
    result = tutor("--lang", "ko", "progress")
    assert result.exit_code == 0, result.output
    notice = result.stderr.splitlines()[0]
    assert notice.startswith(f"tutor: 진도 저장소 {path}: 더 새로운 tutor가 만든 저장소입니다"
                             "(스키마 99, 이 tutor는 ")
    assert notice.endswith("이름으로 옮기고 새 저장소를 시작했습니다")


def test_translation_drift_is_named_in_korean_at_its_line(tmp_path: Path) -> None:
    import shutil

    lessons = tmp_path / "lessons"
    shutil.copytree(LESSONS, lessons)
    drifted = lessons / "ko" / "01-first-steps.yaml"
    text = drifted.read_text(encoding="utf-8")
    drifted.write_text(text.replace("id: first-steps", "id: first-steps-ko", 1), encoding="utf-8")
    result = tutor("--lang", "ko", "check", str(lessons))
    assert result.exit_code == 1
    assert any(line.endswith(": id: id가 'first-steps-ko'인 영어 강의가 없습니다(번역은 id로 "
                             "강의와 짝을 짓습니다)") and "ko/01-first-steps.yaml:1:1" in line
               for line in result.stdout.splitlines())


def test_a_settings_error_and_the_config_table_are_in_korean() -> None:
    bad = tutor("--lang", "ko", "config", env={"TUTOR_THEME": "sepia"})
    assert bad.exit_code == 2
    assert bad.stderr == "tutor: theme(TUTOR_THEME): dark, light 중 하나여야 합니다. 지금은 'sepia'입니다\n"
    table = tutor("--lang", "ko", "config")
    assert table.exit_code == 0 and "기본값" in table.stdout and "┃ 출처" in table.stdout
