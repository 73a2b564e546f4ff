"""Files that are not what they should be: reported with a line, never a traceback, never followed out of the root."""

from __future__ import annotations

import os

import pytest

from app.content import MAX_FILE_BYTES, check_library, load_registry, parse_course_folder, parse_registry_source

MODULE = "---\ntitle: M\nobjectives: [x]\n---\nBody.\n"


def problems_of(root) -> list[str]:
    return [str(problem) for problem in check_library(root).problems]


def test_binary_file_reports_the_line_of_the_nul_byte(make_library):
    root = make_library({"c": {"01-a.md": b"---\ntitle: M\n---\nBody \x00 here\n"}})
    assert problems_of(root) == [f"{root}/c/01-a.md:4: binary file (NUL byte on this line): course files must be UTF-8 text"]


def test_invalid_utf8_reports_the_line_of_the_bad_byte(make_library):
    root = make_library({"c": {"01-a.md": "---\ntitle: M\n---\nCaf".encode() + b"\xe9 au lait\n"}})
    assert problems_of(root) == [
        f"{root}/c/01-a.md:4: invalid UTF-8: byte 0xe9 on this line (save the file as UTF-8)"
    ]


def test_utf8_byte_order_mark_is_accepted(make_library):
    root = make_library({"c": {"01-a.md": b"\xef\xbb\xbf" + MODULE.encode()}})
    assert problems_of(root) == []


def test_windows_line_endings_are_accepted(make_library):
    root = make_library({"c": {"01-a.md": MODULE.replace("\n", "\r\n").encode()}})
    result = check_library(root)
    assert result.problems == ()
    assert result.courses[0].course.modules[0].title == "M"


def test_oversized_file(make_library):
    big = MODULE + ("x" * 100 + "\n") * (MAX_FILE_BYTES // 101 + 1)
    root = make_library({"c": {"01-a.md": big}})
    assert problems_of(root) == [f"{root}/c/01-a.md:1: file is larger than 1 MiB"]


def test_symlink_out_of_the_courses_folder_is_not_read(make_library, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(MODULE, encoding="utf-8")
    root = make_library({"c": {}})
    os.symlink(secret, root / "c" / "01-secret.md")
    assert problems_of(root) == [f"{root}/c/01-secret.md:1: symlink points outside the courses folder; not read"]


def test_symlinked_course_folder_out_of_the_courses_folder(make_library, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "course.md").write_text("not read", encoding="utf-8")
    root = make_library({})
    os.symlink(outside, root / "linked")
    assert problems_of(root) == [f"{root}/linked:1: symlink points outside the courses folder; not read"]


def test_image_symlinked_out_of_the_course_counts_as_missing(make_library, tmp_path):
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    root = make_library({"c": {"01-a.md": MODULE + "\n![x](images/photo.png)\n"}})
    (root / "c" / "images").mkdir()
    os.symlink(tmp_path / "photo.png", root / "c" / "images" / "photo.png")
    assert problems_of(root) == [f"{root}/c/01-a.md:7: image not found: 'images/photo.png'"]


def test_symlink_inside_the_courses_folder_is_followed(make_library):
    root = make_library({"c": {"01-a.md": MODULE}})
    os.symlink(root / "c" / "01-a.md", root / "c" / "02-b.md")
    assert problems_of(root) == []


def test_symlink_loop_is_reported(make_library):
    root = make_library({"c": {"01-a.md": MODULE}})
    os.symlink(root / "c" / "02-b.md", root / "c" / "02-b.md")
    [problem] = problems_of(root)
    assert problem.startswith(f"{root}/c/02-b.md:1: ")


def test_empty_folder(make_library):
    root = make_library({})
    (root / "nothing-here").mkdir()
    assert problems_of(root) == [f"{root}/nothing-here:1: empty course folder: add a course.md"]


def test_folder_without_course_md(make_library):
    root = make_library({"c": {"course.md": None, "01-a.md": MODULE}})
    assert problems_of(root) == [f"{root}/c:1: no course.md in this course folder"]


def test_a_directory_named_like_a_module(make_library):
    root = make_library({"c": {}})
    (root / "c" / "01-a.md").mkdir()
    assert problems_of(root) == [f"{root}/c/01-a.md:1: not a regular file"]


def test_one_bad_file_does_not_hide_the_others(make_library):
    root = make_library(
        {
            "a": {"01-x.md": b"\x00"},
            "b": {"01-y.md": MODULE.replace("title: M", "title: M\nbad: key")},
        }
    )
    assert problems_of(root) == [
        f"{root}/a/01-x.md:1: binary file (NUL byte on this line): course files must be UTF-8 text",
        f"{root}/b/01-y.md:3: unknown key 'bad' (allowed: title, estimated_minutes, objectives, standards)",
    ]


def test_a_valid_course_folder_gives_a_course_and_an_invalid_one_none(make_library):
    root = make_library({"good": {"01-a.md": MODULE}, "bad": {"01-a.md": "no front matter"}})
    results = {course.slug: course for course in check_library(root).courses}
    assert results["good"].course is not None and results["good"].problems == ()
    assert results["bad"].course is None and len(results["bad"].errors) == 1


def test_hidden_files_and_folders_are_ignored(make_library):
    root = make_library({"c": {"01-a.md": MODULE, ".notes.md": "scratch"}})
    (root / ".git").mkdir()
    assert problems_of(root) == []


def test_parse_course_folder_never_raises_on_a_missing_folder(registry, tmp_path):
    result = parse_course_folder(tmp_path / "missing", registry)
    assert result.course is None
    assert [str(problem) for problem in result.problems] == [f"{tmp_path}/missing:1: cannot read folder: No such file or directory"]


def test_missing_courses_folder(tmp_path):
    result = check_library(tmp_path / "nope")
    assert [str(problem) for problem in result.problems] == [f"{tmp_path}/nope:1: courses folder not found"]
    assert result.registry is None and result.courses == ()


# --- The registry -------------------------------------------------------------------------------------------------


def test_missing_registry_is_reported_and_codes_are_not_checked(make_library):
    module = MODULE.replace("objectives: [x]", "objectives: [x]\nstandards: [ANYTHING-1]")
    root = make_library({"c": {"01-a.md": module}}, registry=False)
    result = check_library(root)
    assert [str(problem) for problem in result.problems] == [f"{root}/standards.yaml:1: standards registry not found"]
    assert result.registry is None


def test_registry_with_invalid_yaml(tmp_path):
    path = tmp_path / "standards.yaml"
    path.write_text("ICCPR:\n  title: [unclosed\n  kind: treaty\n", encoding="utf-8")
    registry, problems = load_registry(path)
    assert registry.instruments == ()
    assert [str(problem) for problem in problems] == [
        f"{path}:3: invalid YAML in standards registry: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts on line 2)"
    ]


def test_registry_binary_file(tmp_path):
    path = tmp_path / "standards.yaml"
    path.write_bytes(b"ICCPR:\n\x00")
    assert [str(problem) for problem in load_registry(path)[1]] == [
        f"{path}:2: binary file (NUL byte on this line): course files must be UTF-8 text"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["s.yaml:1: standards registry is empty"]),
        ("- ICCPR\n", ["s.yaml:1: standards registry must map instrument keys (like ICCPR) to their details"]),
        ("ICCPR: [1]\n", ["s.yaml:1: instrument 'ICCPR' must be a mapping with title, kind and articles"]),
        ("ICCPR:\n  kind: treaty\n", ["s.yaml:1: instrument 'ICCPR' is missing required key 'title'"]),
        (
            "iccpr:\n  title: T\n  kind: treaty\n",
            ["s.yaml:1: instrument key 'iccpr' must be capital letters and digits, starting with a letter"],
        ),
        (
            "ICCPR:\n  title: T\n  kind: law\n  url: x\n",
            [
                "s.yaml:3: 'kind' must be one of treaty, declaration, principles, guidance, general-comment, "
                "case-law, not 'law'",
                "s.yaml:4: unknown key 'url' in instrument 'ICCPR' (allowed: title, kind, unit, adopted, source, "
                "articles)",
            ],
        ),
        (
            "BPUFF:\n  title: T\n  kind: principles\n  unit: chapter\n",
            [
                "s.yaml:4: 'unit' must be one of article, principle, rule, guideline, value, paragraph, section, "
                "phase, not 'chapter'"
            ],
        ),
        ("BPUFF:\n  title: T\n  kind: principles\n  unit:\n", ["s.yaml:4: 'unit' is empty"]),
        ("ICCPR:\n  title: T\n  kind: treaty\n  articles: [9]\n", ["s.yaml:4: 'articles' of 'ICCPR' must map article keys to titles"]),
        (
            'ICCPR:\n  title: T\n  kind: treaty\n  articles:\n    "9":\n    "-x": y\n',
            [
                "s.yaml:5: article '9' needs a title, not nothing",
                "s.yaml:6: article key '-x' must be letters, digits, dots or brackets",
            ],
        ),
        (
            "ICCPR:\n  title: T\n  kind: treaty\nICCPR:\n  title: U\n  kind: treaty\n",
            ["s.yaml:4: duplicate key 'ICCPR' (first on line 1)"],
        ),
    ],
)
def test_registry_structure(text, expected):
    assert [str(problem) for problem in parse_registry_source(text, path="s.yaml")[1]] == expected


def test_registry_keeps_instrument_with_a_bad_kind_so_codes_do_not_cascade():
    registry, problems = parse_registry_source("GC:\n  title: General comment\n  kind: commentary\n  articles:\n    1: x\n")
    assert len(problems) == 1
    assert "GC-1" in registry


def test_registry_unit_names_what_the_articles_are_and_defaults_to_article():
    registry, problems = parse_registry_source(
        "NMR:\n  title: Nelson Mandela Rules\n  kind: principles\n  unit: rule\n  articles:\n    43: No torture\n"
        "ICCPR:\n  title: Covenant\n  kind: treaty\n  articles:\n    9: Liberty\n"
    )
    assert problems == ()
    assert [(instrument.key, instrument.unit) for instrument in registry.instruments] == [("NMR", "rule"),
                                                                                          ("ICCPR", "article")]
    assert (registry.get("NMR").unit, registry.get("NMR-43").unit, registry.get("ICCPR-9").unit) == ("rule", "rule",
                                                                                                     "article")
    assert registry.get("NMR-43").label == "NMR Rule 43 — No torture"
    assert registry.get("ICCPR-9").label == "ICCPR Art. 9 — Liberty"


def test_registry_keeps_instrument_with_a_bad_unit_as_articles_so_codes_do_not_cascade():
    registry, problems = parse_registry_source("BPUFF:\n  title: T\n  kind: principles\n  unit: principles\n"
                                               "  articles:\n    9: Firearms\n", path="s.yaml")
    assert [str(problem) for problem in problems] == [
        "s.yaml:4: 'unit' must be one of article, principle, rule, guideline, value, paragraph, section, phase, "
        "not 'principles'"
    ]
    assert registry.get("BPUFF-9").unit == "article"


def test_unquoted_article_numbers_and_dates_stay_as_written():
    registry, problems = parse_registry_source("CAT:\n  title: T\n  kind: treaty\n  adopted: 1984-12-10\n  articles:\n    15: Exclusion\n")
    assert problems == ()
    assert registry.instruments[0].adopted == "1984-12-10"
    assert registry.get("CAT-15").title == "Exclusion"


# --- Text that Python-Markdown cannot handle ------------------------------------------------------------------------

DEEP_EMPHASIS = "*" * 5000 + "x" + "*" * 5000


def test_too_deep_nesting_is_a_problem_not_an_exception(module_problems, course_problems):
    nested_message = "the text is nested too deeply to render (lists, quotes or emphasis inside each other)"
    assert module_problems(MODULE + DEEP_EMPHASIS) == [f"m.md:1: {nested_message}"]
    course = "---\ntitle: C\nsummary: S\naudiences: [student]\nlanguage: en\nestimated_minutes: 5\n---\n"
    assert course_problems(course + DEEP_EMPHASIS) == [f"course.md:8: {nested_message}"]


def test_rendering_still_works_after_a_failure(module_problems):
    from app.content import render_markdown

    failed = render_markdown(DEEP_EMPHASIS, course_slug="c", path="x.md")
    assert failed.html == "" and len(failed.problems) == 1
    assert render_markdown("*fine*", course_slug="c").html == "<p><em>fine</em></p>"
