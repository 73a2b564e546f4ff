"""Course content: parse, check and render course folders (Markdown + YAML front matter) into frozen dataclasses.

Pure Python on purpose: no Flask, no database. The web app, the sync job, the browser editor and the
`python -m app.content` checker all go through these functions, so they agree on what a valid course is.
"""

from .files import MAX_FILE_BYTES
from .loader import check_library, course_folders, library_of, parse_course_folder, parse_course_folders
from .markdown_render import RenderedMarkdown, render_markdown, sanitize
from .model import (
    CompletionRule,
    Course,
    CourseMeta,
    CourseResult,
    Instrument,
    LibraryResult,
    Module,
    Option,
    Problem,
    Question,
    Quiz,
    Scenario,
    Standard,
    StandardsRegistry,
    TocEntry,
)
from .parser import AUDIENCES, LANGUAGE_TAG, parse_course_source, parse_module_source
from .quiz_parser import normalise_answer
from .registry import load_registry, parse_registry_source

__all__ = [
    "AUDIENCES",
    "LANGUAGE_TAG",
    "MAX_FILE_BYTES",
    "CompletionRule",
    "Course",
    "CourseMeta",
    "CourseResult",
    "Instrument",
    "LibraryResult",
    "Module",
    "Option",
    "Problem",
    "Question",
    "Quiz",
    "RenderedMarkdown",
    "Scenario",
    "Standard",
    "StandardsRegistry",
    "TocEntry",
    "check_library",
    "course_folders",
    "library_of",
    "load_registry",
    "normalise_answer",
    "parse_course_folder",
    "parse_course_folders",
    "parse_course_folders",
    "parse_course_source",
    "parse_module_source",
    "parse_registry_source",
    "render_markdown",
    "sanitize",
]
