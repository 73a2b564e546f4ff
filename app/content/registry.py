"""`standards.yaml`: the registry of every standard code a course may cite."""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode

from .files import read_text_file
from .frontmatter import NULL_TAG, Document, FrontMatter, describe, index_mapping, parse_front_matter
from .model import DEFAULT_UNIT, UNIT_CITATION_WORDS, Instrument, Problem, Standard, StandardsRegistry

INSTRUMENT_KINDS = ("treaty", "declaration", "principles", "guidance", "general-comment", "case-law")
INSTRUMENT_KEYS = ("title", "kind", "unit", "adopted", "source", "articles")
ARTICLE_UNITS = tuple(UNIT_CITATION_WORDS)
INSTRUMENT_KEY = re.compile(r"[A-Z][A-Z0-9]*")
# The first hyphen of a code separates instrument from article, so an article key may not start with one.
ARTICLE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9.()-]*")


def load_registry(path: Path, *, root: Path | None = None) -> tuple[StandardsRegistry, tuple[Problem, ...]]:
    """Read standards.yaml. Never raises: a missing or broken file gives an empty registry and its problems."""
    shown = str(path)
    try:
        text, problems = read_text_file(Path(path), shown, root=root)
    except Exception as error:  # a bug here must not stop the courses being checked
        return StandardsRegistry(()), (Problem(shown, 1, f"internal error while reading the registry: {error!r}"),)
    if text is None:
        if not problems:
            problems = [Problem(shown, 1, "standards registry not found")]
        return StandardsRegistry(()), tuple(problems)
    return parse_registry_source(text, path=shown)


def parse_registry_source(text: str, *, path: str = "standards.yaml") -> tuple[StandardsRegistry, tuple[Problem, ...]]:
    document = Document(text.removeprefix("\ufeff"), 1, [], 1, 1)
    root, problems = parse_front_matter(
        document,
        path,
        where="standards registry",
        not_a_mapping="standards registry must map instrument keys (like ICCPR) to their details",
    )
    if root is None:
        return StandardsRegistry(()), tuple(problems)
    if not root.entries:
        problems.append(Problem(path, 1, "standards registry is empty"))
    instruments = []
    for entry in root.entries.values():
        instrument = _read_instrument(entry.key, entry.line, entry.node, root)
        if instrument is not None:
            instruments.append(instrument)
    problems.extend(root.problems)
    return StandardsRegistry(tuple(instruments)), tuple(sorted(problems, key=lambda problem: problem.line))


def _read_instrument(key: str, line: int, node, registry: FrontMatter) -> Instrument | None:
    if not INSTRUMENT_KEY.fullmatch(key):
        registry.error(line, f"instrument key '{key}' must be capital letters and digits, starting with a letter")
        return None
    if not isinstance(node, MappingNode):
        registry.error(registry.line_of(node), f"instrument '{key}' must be a mapping with title, kind and articles")
        return None
    entries, problems = index_mapping(node, registry.path, registry.first_line)
    registry.problems.extend(problems)
    fields = FrontMatter(entries, registry.path, registry.first_line)
    for field_key, entry in entries.items():
        if field_key not in INSTRUMENT_KEYS:
            allowed = ", ".join(INSTRUMENT_KEYS)
            fields.error(entry.line, f"unknown key '{field_key}' in instrument '{key}' (allowed: {allowed})")
    for required in ("title", "kind"):
        if required not in entries:
            fields.error(line, f"instrument '{key}' is missing required key '{required}'")
    title = fields.text("title")
    kind = fields.choice("kind", INSTRUMENT_KINDS)
    unit = fields.choice("unit", ARTICLE_UNITS) or DEFAULT_UNIT
    adopted = fields.text("adopted")
    source = fields.text("source")
    articles: list[Standard] = []
    articles_entry = entries.get("articles")
    if articles_entry is not None:
        articles = _read_articles(key, title or key, unit, articles_entry.node, fields)
    registry.problems.extend(fields.problems)
    if title is None:
        return None
    # An instrument with a bad kind or unit is reported but still registered, so its codes do not cascade into errors.
    return Instrument(key=key, title=title, kind=kind or "", adopted=adopted, source=source, articles=tuple(articles),
                      unit=unit)


def _read_articles(instrument_key: str, instrument_title: str, unit: str, node, fields: FrontMatter) -> list[Standard]:
    if not isinstance(node, MappingNode):
        fields.error(fields.line_of(node), f"'articles' of '{instrument_key}' must map article keys to titles")
        return []
    entries, problems = index_mapping(node, fields.path, fields.first_line)
    fields.problems.extend(problems)
    articles = []
    for article_key, entry in entries.items():
        if not ARTICLE_KEY.fullmatch(article_key):
            fields.error(entry.line, f"article key '{article_key}' must be letters, digits, dots or brackets")
            continue
        value = entry.node
        if not isinstance(value, ScalarNode) or value.tag == NULL_TAG or not value.value.strip():
            fields.error(fields.line_of(value), f"article '{article_key}' needs a title, not {describe(value)}")
            continue
        articles.append(
            Standard(
                code=f"{instrument_key}-{article_key}",
                instrument=instrument_key,
                article=article_key,
                title=value.value.strip(),
                instrument_title=instrument_title,
                unit=unit,
            )
        )
    return articles
