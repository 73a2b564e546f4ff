"""One source text at a time: `course.md` to CourseMeta, `NN-slug.md` to Module. No file system access here,
so the browser editor (whose courses live in the database) uses exactly the checks the folder loader uses."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from typing import Any

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .blocks import QuizBlock, scan_blocks
from .frontmatter import Document, FrontMatter, index_mapping, parse_front_matter, read_text_list, split_document
from .markdown_render import (
    MODULE_FILENAME,
    FragmentBatch,
    RenderContext,
    convert_body,
    discard_markdown_converter,
    render_markdown,
    unexpected_error_message,
)
from .model import CompletionRule, CourseMeta, Module, Problem, StandardsRegistry, has_errors
from .quiz_parser import parse_quiz

AUDIENCES = ("student", "police", "judge", "prosecutor", "lawyer", "defender", "general")
STATUSES = ("draft", "published")
QUIZ_RULES = ("passed", "none")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# BCP 47, the common shapes: language, optional script, optional region (en, fr-CA, es-419, zh-Hant-TW, ar).
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?", re.IGNORECASE)

COURSE_REQUIRED = ("title", "summary", "audiences", "language", "estimated_minutes")
COURSE_OPTIONAL = ("status", "objectives", "standards", "completion")
MODULE_REQUIRED = ("title",)
MODULE_OPTIONAL = ("estimated_minutes", "objectives", "standards")


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda problem: problem.line))


def _standards(front_matter: FrontMatter, context: RenderContext) -> list[str]:
    codes = front_matter.text_list("standards", context.check_standard) or []
    return list(dict.fromkeys(codes))


def _never_raises(parse):
    """Turn an unexpected exception into a problem: a checker that crashes on bad input reports nothing useful."""

    @functools.wraps(parse)
    def guarded(text: str, **options):
        try:
            return parse(text, **options)
        except Exception as error:
            discard_markdown_converter()  # it may be half-way through a document
            path = options.get("path") or options.get("filename") or "course.md"
            return None, (Problem(path, 1, unexpected_error_message(error)),)

    return guarded


def _open_document(text: str, path: str, **context: Any) -> tuple[
        Document | None, FrontMatter | None, RenderContext | None, list[Problem]]:
    """(document, front matter, render context of its body, problems); the first three are None if the front matter
    cannot be read."""
    document, problems = split_document(text, path)
    if document is None:
        return None, None, None, list(problems)
    front_matter, yaml_problems = parse_front_matter(document, path)
    problems = [*problems, *yaml_problems]
    if front_matter is None:
        return None, None, None, problems
    body = RenderContext(path=path, lines=document.body_lines, first_line=document.body_first_line, **context)
    return document, front_matter, body, problems


@_never_raises
def parse_course_source(
    text: str,
    *,
    course_slug: str,
    registry: StandardsRegistry | None,
    path: str = "course.md",
    module_slugs: Collection[str] = (),
    asset_exists: Callable[[str], bool] = lambda path: True,
) -> tuple[CourseMeta | None, tuple[Problem, ...]]:
    """Parse and check `course.md`. `module_slugs`, when given, lets the completion rule and links be checked."""
    document, front_matter, context, problems = _open_document(
        text, path, course_slug=course_slug, registry=registry, known_modules=module_slugs, asset_exists=asset_exists)
    if front_matter is None:
        return None, tuple(problems)
    front_matter.check_keys(COURSE_REQUIRED, COURSE_OPTIONAL)
    title = front_matter.text("title")
    summary = front_matter.text("summary")
    audiences = front_matter.text_list("audiences", lambda value, line: _check_audience(value, line, front_matter))
    if audiences == [] and "audiences" in front_matter.entries:
        front_matter.error(front_matter.entries["audiences"].line,
                           f"'audiences' needs at least one of: {', '.join(AUDIENCES)}")
    language = front_matter.text("language")
    if language is not None and not LANGUAGE_TAG.fullmatch(language):
        front_matter.error(
            front_matter.entries["language"].line,
            f"'language' must be a BCP 47 tag like en, fr or es-419, not '{language}'"
        )
        language = None
    minutes = front_matter.positive_int("estimated_minutes")
    status = front_matter.choice("status", STATUSES) or "draft"
    objectives = front_matter.text_list("objectives") or []
    standards = _standards(front_matter, context)
    completion = _completion(front_matter, module_slugs)

    intro = render_markdown(
        "\n".join(document.body_lines),
        course_slug=course_slug,
        registry=registry,
        known_modules=module_slugs,
        asset_exists=asset_exists,
        path=path,
        first_line=document.body_first_line,
    )
    all_problems = [*problems, *front_matter.problems, *context.problems, *intro.problems]
    if has_errors(all_problems) or None in (title, summary, audiences, language, minutes, completion):
        return None, _sorted(all_problems)
    meta = CourseMeta(
        slug=course_slug,
        title=title,
        summary=summary,
        audiences=tuple(dict.fromkeys(audiences)),
        language=language,
        estimated_minutes=minutes,
        status=status,
        objectives=tuple(objectives),
        standards=tuple(dict.fromkeys([*standards, *intro.standards])),
        completion=completion,
        source=text,
        intro_html=intro.html,
    )
    return meta, _sorted(all_problems)


def _check_audience(value: str, line: int, front_matter: FrontMatter) -> bool:
    if value in AUDIENCES:
        return True
    front_matter.error(line, f"unknown audience '{value}' (use any of: {', '.join(AUDIENCES)})")
    return False


def _completion(front_matter: FrontMatter, module_slugs: Collection[str]) -> CompletionRule | None:
    entry = front_matter.entries.get("completion")
    if entry is None:
        return CompletionRule()
    node = entry.node
    if not isinstance(node, MappingNode):
        front_matter.error(front_matter.line_of(node), "'completion' must be a mapping with 'modules' and 'quizzes'")
        return None
    entries, problems = index_mapping(node, front_matter.path, front_matter.first_line)
    front_matter.problems.extend(problems)
    rule = FrontMatter(entries, front_matter.path, front_matter.first_line)
    for key, item in entries.items():
        if key not in ("modules", "quizzes"):
            rule.error(item.line, f"unknown key '{key}' in 'completion' (allowed: modules, quizzes)")
    modules: str | tuple[str, ...] | None = "all"
    if "modules" in entries:
        modules_node = entries["modules"].node
        if isinstance(modules_node, ScalarNode) and modules_node.value == "all":
            modules = "all"
        elif isinstance(modules_node, SequenceNode):

            def check_module(slug: str, line: int) -> bool:
                if module_slugs and slug not in module_slugs:
                    rule.error(line, f"completion names module '{slug}', which does not exist")
                    return False
                return True

            listed = read_text_list(modules_node, "modules", rule, check_module)
            modules = tuple(dict.fromkeys(listed)) if listed else None
            if listed == []:
                rule.error(rule.line_of(modules_node), "completion 'modules' lists no modules: use 'all' or some slugs")
        else:
            rule.error(rule.line_of(modules_node), "completion 'modules' must be 'all' or a list of module slugs")
            modules = None
    quizzes = rule.choice("quizzes", QUIZ_RULES) if "quizzes" in entries else "passed"
    front_matter.problems.extend(rule.problems)
    if modules is None or quizzes is None:
        return None
    return CompletionRule(modules=modules, quizzes=quizzes)


@_never_raises
def parse_module_source(
    text: str,
    *,
    filename: str,
    course_slug: str,
    registry: StandardsRegistry | None,
    path: str | None = None,
    known_modules: Collection[str] = (),
    asset_exists: Callable[[str], bool] = lambda path: True,
) -> tuple[Module | None, tuple[Problem, ...]]:
    """Parse and check one module file. `known_modules` (the course's module slugs) enables the check of links to
    other modules; when empty, those links are not checked. Returns no Module when there is any error."""
    path = path or filename
    problems: list[Problem] = []
    name = MODULE_FILENAME.fullmatch(filename)
    if name is None:
        problems.append(Problem(path, 1, f"bad module file name '{filename}': {MODULE_NAME_RULE}"))
    position, slug = (int(name.group(1)), name.group(2)) if name else (0, filename.removesuffix(".md"))
    document, front_matter, context, document_problems = _open_document(
        text, path, course_slug=course_slug, registry=registry, known_modules=known_modules, asset_exists=asset_exists)
    problems.extend(document_problems)
    if front_matter is None:
        return None, _sorted(problems)
    front_matter.check_keys(MODULE_REQUIRED, MODULE_OPTIONAL)
    title = front_matter.text("title")
    minutes = front_matter.positive_int("estimated_minutes")
    objectives = front_matter.text_list("objectives") or []
    if not objectives and not front_matter.problems:
        context.report(1, "module has no objectives: list what learners will be able to do", "warning")
    standards = _standards(front_matter, context)

    if not "".join(document.body_lines).strip():
        context.report(document.closing_line, "module has no body text after the front matter")
    blocks, block_problems = scan_blocks(document.body_lines, document.body_first_line, path)
    context.problems.extend(block_problems)
    quiz_blocks = [block for block in blocks if isinstance(block, QuizBlock)]
    for extra in quiz_blocks[1:]:
        context.report(extra.line,
                       f"a module may contain only one quiz (the first starts on line {quiz_blocks[0].line})")

    batch = FragmentBatch()
    quiz_drafts = [parse_quiz(block, module_slug=slug, context=context, batch=batch) for block in quiz_blocks]
    body = convert_body(blocks, context, batch)
    fragments = batch.convert()
    trainer_html = body.trainer_html(fragments, context)
    learner_html = body.learner_html()
    quizzes = [draft.build(fragments, context) for draft in quiz_drafts]

    all_problems = [*problems, *front_matter.problems, *context.problems]
    if has_errors(all_problems) or title is None:
        return None, _sorted(all_problems)
    quiz = quizzes[0] if quizzes else None
    question_standards = [code for question in (quiz.questions if quiz else ()) for code in question.standards]
    module = Module(
        slug=slug,
        position=position,
        filename=filename,
        title=title,
        estimated_minutes=minutes,
        objectives=tuple(objectives),
        standards=tuple(dict.fromkeys([*standards, *body.standards, *question_standards])),
        source=text,
        learner_html=learner_html,
        trainer_html=trainer_html,
        toc=body.toc,
        quiz=quiz,
        images=tuple(context.images),
        word_count=body.word_count,
    )
    return module, _sorted(all_problems)


MODULE_NAME_RULE = "module files are named NN-slug.md (digits, a hyphen, then lower-case letters, digits and hyphens)"
