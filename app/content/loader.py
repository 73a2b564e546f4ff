"""Course folders on disk: safe reading, per-file parsing, and the checks that span several files."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

from .files import inside_root, read_text_file
from .markdown_render import MODULE_FILENAME, unexpected_error_message
from .model import Course, CourseResult, LibraryResult, Module, Problem, StandardsRegistry, has_errors
from .parser import MODULE_NAME_RULE, SLUG, parse_course_source, parse_module_source
from .registry import load_registry

REGISTRY_FILENAME = "standards.yaml"
COURSE_FILENAME = "course.md"


def _asset_checker(folder: Path, root: Path | None):
    @lru_cache(maxsize=None)
    def asset_exists(relative_path: str) -> bool:
        candidate = folder / relative_path
        try:
            return inside_root(candidate, root) and candidate.is_file()
        except OSError:
            return False

    return asset_exists


def parse_course_folder(
    folder: Path, registry: StandardsRegistry | None, *, root: Path | None = None
) -> CourseResult:
    """Parse and check one course folder. `root` is the courses folder; symlinks may not lead out of it
    (default: the folder's parent). Never raises: every problem is in the result."""
    folder = Path(folder)
    root = Path(root) if root is not None else folder.parent
    slug = folder.name
    shown_folder = str(folder)
    problems: list[Problem] = []
    try:
        return _parse_course_folder(folder, slug, shown_folder, registry, root, problems)
    except Exception as error:  # a bug must not hide the other courses' problems
        problems.append(Problem(shown_folder, 1, f"internal error while checking this course: {error!r}"))
        return CourseResult(slug=slug, path=shown_folder, course=None, problems=tuple(problems))


def _parse_course_folder(
    folder: Path, slug: str, shown_folder: str, registry, root: Path, problems: list[Problem]
) -> CourseResult:
    def result(course: Course | None = None) -> CourseResult:
        return CourseResult(slug=slug, path=shown_folder, course=course, problems=tuple(problems))

    if not SLUG.fullmatch(slug):
        problems.append(
            Problem(shown_folder, 1,
                    f"course folder name '{slug}' is not a valid slug (lower-case letters, digits, hyphens)")
        )
    if not inside_root(folder, root):
        problems.append(Problem(shown_folder, 1, "symlink points outside the courses folder; not read"))
        return result()
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        problems.append(Problem(shown_folder, 1, f"cannot read folder: {error.strerror or error}"))
        return result()
    if not entries:
        problems.append(Problem(shown_folder, 1, "empty course folder: add a course.md"))
        return result()

    module_files: list[tuple[str, str]] = []  # (file name, slug)
    has_course_file = False
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if name == COURSE_FILENAME:
            has_course_file = True
        elif name.lower().endswith(".md"):
            match = MODULE_FILENAME.fullmatch(name)
            if match is None:
                problems.append(Problem(str(folder / name), 1, f"unexpected file name '{name}': {MODULE_NAME_RULE}"))
            else:
                module_files.append((name, match.group(2)))
    if not has_course_file:
        problems.append(Problem(shown_folder, 1, "no course.md in this course folder"))

    known_modules = frozenset(module_slug for _, module_slug in module_files)
    asset_exists = _asset_checker(folder, root)
    modules: list[Module] = []
    first_file_of_slug: dict[str, str] = {}
    for name, module_slug in module_files:
        shown = str(folder / name)
        if module_slug in first_file_of_slug:
            problems.append(
                Problem(shown, 1, f"duplicate module slug '{module_slug}' (also {first_file_of_slug[module_slug]})")
            )
        else:
            first_file_of_slug[module_slug] = name
        module = _parse_module_file(folder / name, shown, slug, registry, root, known_modules, asset_exists, problems)
        if module is not None:
            modules.append(module)

    meta = None
    if has_course_file:
        shown = str(folder / COURSE_FILENAME)
        text, read_problems = read_text_file(folder / COURSE_FILENAME, shown, root=root)
        problems.extend(read_problems)
        if text is not None:
            try:
                meta, course_problems = parse_course_source(
                    text,
                    course_slug=slug,
                    registry=registry,
                    path=shown,
                    module_slugs=known_modules,
                    asset_exists=asset_exists,
                )
                problems.extend(course_problems)
            except Exception as error:
                problems.append(Problem(shown, 1, unexpected_error_message(error)))

    modules.sort(key=lambda module: (module.position, module.filename))
    _check_across_modules(folder, modules, problems)
    if meta is None or has_errors(problems) or len(modules) != len(module_files):
        return result()
    return result(Course(meta=meta, modules=tuple(modules)))


def _parse_module_file(
    path: Path, shown: str, course_slug: str, registry, root, known_modules, asset_exists, problems: list[Problem]
) -> Module | None:
    text, read_problems = read_text_file(path, shown, root=root)
    problems.extend(read_problems)
    if text is None:
        return None
    try:
        module, module_problems = parse_module_source(
            text,
            filename=path.name,
            course_slug=course_slug,
            registry=registry,
            path=shown,
            known_modules=known_modules,
            asset_exists=asset_exists,
        )
    except Exception as error:
        problems.append(Problem(shown, 1, unexpected_error_message(error)))
        return None
    problems.extend(module_problems)
    return module


def _check_across_modules(folder: Path, modules: list[Module], problems: list[Problem]) -> None:
    """Question ids are unique within the course; positions should be too, or the order is a tie-break."""
    first_use: dict[str, tuple[str, int]] = {}
    for module in modules:
        for question in module.quiz.questions if module.quiz else ():
            if question.id in first_use:
                filename, line = first_use[question.id]
                problems.append(
                    Problem(
                        str(folder / module.filename),
                        question.line,
                        f"duplicate question id '{question.id}' (also in {filename} line {line})",
                    )
                )
            else:
                first_use[question.id] = (module.filename, question.line)
    for previous, module in itertools.pairwise(modules):
        if previous.position == module.position:
            problems.append(
                Problem(
                    str(folder / module.filename),
                    1,
                    f"module number {module.position} is also used by {previous.filename}: give each module its own",
                    "warning",
                )
            )


def library_of(path: Path) -> tuple[Path, Path | None]:
    """(the courses folder, the one course to take or None for all): a course's own folder (it holds course.md)
    is read with the standards registry of the courses folder that holds it."""
    path = Path(path)
    if not (path / COURSE_FILENAME).is_file():
        return path, None
    if path.name in ("", "..") or path.parent == path:  # ".", "..": no parent to name; problems then show full paths
        path = path.resolve()
    return path.parent, path


def course_folders(courses_dir: Path) -> list[Path]:
    """Every course folder of a courses folder, by name (hidden folders left out). May raise OSError."""
    return sorted((courses_dir / entry.name for entry in os.scandir(courses_dir)
                   if entry.is_dir() and not entry.name.startswith(".")), key=lambda folder: folder.name)


def check_library(courses_dir: Path, *, workers: int | None = None) -> LibraryResult:
    """Check `courses_dir/standards.yaml` and every course folder in `courses_dir` (or, given one course's folder,
    that course against the registry beside it). Never raises. `workers`: see parse_course_folders()."""
    courses_dir = Path(courses_dir)
    if not courses_dir.is_dir():
        problem = Problem(str(courses_dir), 1, "courses folder not found")
        return LibraryResult(registry=None, courses=(), problems=(problem,))
    courses_dir, only = library_of(courses_dir)
    registry, registry_problems = load_registry(courses_dir / REGISTRY_FILENAME, root=courses_dir)
    # With no usable registry every code would be "unknown": report the registry, not hundreds of codes.
    usable_registry = registry if registry.instruments or not has_errors(registry_problems) else None
    try:
        folders = [only] if only else course_folders(courses_dir)
    except OSError as error:
        problem = Problem(str(courses_dir), 1, f"cannot read folder: {error.strerror or error}")
        return LibraryResult(registry=usable_registry, courses=(), problems=(*registry_problems, problem))
    courses = parse_course_folders(folders, usable_registry, courses_dir, workers=workers)
    problems = (*registry_problems, *(problem for course in courses for problem in course.problems))
    return LibraryResult(registry=usable_registry, courses=courses, problems=problems)


PARALLEL_FROM_MODULES = 200  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 8


def parse_course_folders(
    folders: Iterable[Path], registry: StandardsRegistry | None, root: Path | None = None, *, workers: int | None = None
) -> tuple[CourseResult, ...]:
    """parse_course_folder() for each folder, in order. `workers` > 1 uses that many processes; None decides from
    the number of module files (Markdown conversion is CPU-bound, so threads would not help)."""
    folders = [Path(folder) for folder in folders]
    if workers is None:
        workers = _automatic_workers(folders)
    if workers > 1 and len(folders) > 1:
        # "spawn": forking a process that may hold threads (a web server, a test runner) is unsafe.
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=min(workers, len(folders)), mp_context=context) as pool:
                jobs = [pool.submit(parse_course_folder, folder, registry, root=root) for folder in folders]
                return tuple(job.result() for job in jobs)
        except (OSError, BrokenProcessPool, pickle.PicklingError):
            pass  # no processes available here: do the work in this one
    return tuple(parse_course_folder(folder, registry, root=root) for folder in folders)


def _automatic_workers(folders: list[Path]) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2:
        return 1
    module_count = 0
    for folder in folders:
        try:
            module_count += sum(1 for entry in os.scandir(folder) if entry.name.endswith(".md"))
        except OSError:
            continue
    return min(cpus, MAX_WORKERS) if module_count >= PARALLEL_FROM_MODULES else 1
