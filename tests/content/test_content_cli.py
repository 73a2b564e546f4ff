"""`python -m app.content [PATH]`: one problem per line, a summary, exit 1 on any error, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.content import check_library
from app.content.__main__ import main

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
MODULE = "---\ntitle: M\nobjectives: [x]\n---\nBody.\n"


def test_valid_library_exits_0(capsys):
    assert main([str(FIXTURE_COURSES)]) == 0
    assert capsys.readouterr().out == "1 course checked: 0 errors, 0 warnings\n"


def test_errors_then_warnings_then_summary_and_exit_1(make_library, capsys):
    root = make_library(
        {
            "a": {"01-x.md": MODULE.replace("objectives: [x]\n", "")},
            "b": {"01-y.md": MODULE.replace("title: M", "title: M\nauthor: Me")},
        }
    )
    assert main([str(root)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{root}/b/01-y.md:3: unknown key 'author' (allowed: title, estimated_minutes, objectives, standards)",
        f"{root}/a/01-x.md:1: warning: module has no objectives: list what learners will be able to do",
        "2 courses checked: 1 error, 1 warning",
    ]


def test_warnings_alone_exit_0(make_library, capsys):
    root = make_library({"a": {"01-x.md": MODULE.replace("objectives: [x]\n", "")}})
    assert main([str(root)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 course checked: 0 errors, 1 warning"


def test_missing_folder_exits_1(tmp_path, capsys):
    assert main([str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/nope:1: courses folder not found",
        "0 courses checked: 1 error, 0 warnings",
    ]


@pytest.mark.slow
def test_runs_as_a_module_without_a_traceback(make_library):
    root = make_library({"a": {"01-x.md": b"\xff\xfe\x00garbage"}, "b": {"01-y.md": MODULE}})
    completed = subprocess.run(
        [sys.executable, "-m", "app.content", str(root)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    assert completed.stdout.splitlines()[-1] == "2 courses checked: 1 error, 0 warnings"


@pytest.mark.slow
def test_worker_processes_give_the_same_result(make_library):
    root = make_library({f"course-{n}": {"01-a.md": MODULE, "02-b.md": "broken"} for n in range(3)})
    assert check_library(root, workers=2) == check_library(root, workers=1)
