"""Fixtures for the app-free tests of app.content: the sample course, its registry, and builders of broken ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content import load_registry, parse_course_folder, parse_course_source, parse_module_source

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
SAMPLE_COURSE = FIXTURE_COURSES / "sample-course"

VALID_COURSE_MD = """\
---
title: A course
summary: What it is about.
audiences: [student]
language: en
estimated_minutes: 30
---
Introduction.
"""

VALID_MODULE_MD = """\
---
title: A module
objectives:
  - Do something.
---
Some text.
"""


@pytest.fixture(scope="session")
def registry():
    registry, problems = load_registry(FIXTURE_COURSES / "standards.yaml")
    assert problems == ()
    return registry


@pytest.fixture(scope="session")
def sample_course(registry):
    result = parse_course_folder(SAMPLE_COURSE, registry, root=FIXTURE_COURSES)
    assert result.problems == (), [str(problem) for problem in result.problems]
    return result.course


@pytest.fixture
def make_library(tmp_path):
    """make_library({"my-course": {"course.md": ..., "01-a.md": ...}}) -> the courses folder, with the fixture
    registry. A value of None for course.md leaves it out; bytes values are written as they are."""

    def make(courses: dict[str, dict[str, str | bytes | None]], *, registry: bool = True) -> Path:
        root = tmp_path / "courses"
        root.mkdir(exist_ok=True)
        if registry:
            shutil.copy(FIXTURE_COURSES / "standards.yaml", root / "standards.yaml")
        for slug, files in courses.items():
            folder = root / slug
            folder.mkdir(parents=True, exist_ok=True)
            files = {"course.md": VALID_COURSE_MD, **files}
            for name, content in files.items():
                if content is None:
                    continue
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture
def module_problems(registry):
    """module_problems(text) -> the problems of a module file checked alone, as 'path:line: message' strings."""

    def check(text: str, *, filename: str = "01-m.md", known_modules=("m", "other"), asset_exists=lambda p: True):
        _, problems = parse_module_source(
            text,
            filename=filename,
            course_slug="c",
            registry=registry,
            path="m.md",
            known_modules=known_modules,
            asset_exists=asset_exists,
        )
        return [str(problem) for problem in problems]

    return check


@pytest.fixture
def course_problems(registry):
    """course_problems(text) -> the problems of a course.md checked alone, as strings."""

    def check(text: str, *, module_slugs=("a", "b")):
        _, problems = parse_course_source(
            text, course_slug="c", registry=registry, path="course.md", module_slugs=module_slugs
        )
        return [str(problem) for problem in problems]

    return check
