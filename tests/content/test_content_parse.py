"""What parsing the sample course produces: metadata, modules, rendered HTML, table of contents and quizzes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.content import (
    CompletionRule,
    Option,
    Scenario,
    Standard,
    TocEntry,
    normalise_answer,
    parse_course_folder,
    parse_module_source,
    render_markdown,
)

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
SAMPLE_COURSE = FIXTURE_COURSES / "sample-course"


def test_sample_course_metadata(sample_course):
    meta = sample_course.meta
    assert meta.slug == "sample-course"
    assert meta.title == "Arrest and custody basics"
    assert meta.audiences == ("police", "lawyer")
    assert meta.language == "en"
    assert meta.estimated_minutes == 60
    assert meta.status == "published"
    assert meta.objectives == (
        "Tell an arrested person the reasons for the arrest and their rights.",
        "Keep a complete custody record.",
    )
    assert meta.standards == ("ICCPR-9", "BOP")
    assert meta.completion == CompletionRule(modules="all", quizzes="passed")
    assert meta.source == (SAMPLE_COURSE / "course.md").read_text(encoding="utf-8")
    assert '<a href="/courses/sample-course/m/the-arrest">the moment of arrest</a>' in meta.intro_html


def test_course_defaults(registry):
    from app.content import parse_course_source

    text = "---\ntitle: C\nsummary: S\naudiences: [student]\nlanguage: fr-CA\nestimated_minutes: 5\n---\n"
    meta, problems = parse_course_source(text, course_slug="c", registry=registry)
    assert problems == ()
    assert (meta.status, meta.objectives, meta.standards, meta.completion) == ("draft", (), (), CompletionRule())
    assert meta.intro_html == ""


def test_completion_with_a_module_list(registry):
    from app.content import parse_course_source

    text = (
        "---\ntitle: C\nsummary: S\naudiences: [student]\nlanguage: en\nestimated_minutes: 5\n"
        "completion:\n  modules: [a]\n  quizzes: none\n---\n"
    )
    meta, problems = parse_course_source(text, course_slug="c", registry=registry, module_slugs=["a", "b"])
    assert problems == ()
    assert meta.completion == CompletionRule(modules=("a",), quizzes="none")


def test_modules_are_sorted_by_position(sample_course):
    assert [(m.position, m.slug, m.filename) for m in sample_course.modules] == [
        (1, "the-arrest", "01-the-arrest.md"),
        (2, "in-custody", "02-in-custody.md"),
        (3, "review", "03-review.md"),
    ]


def test_module_fields(sample_course):
    module = sample_course.module("the-arrest")
    assert module.title == "The moment of arrest"
    assert module.estimated_minutes == 25
    assert module.objectives == ("State what a person must be told when arrested.",)
    assert module.source == (SAMPLE_COURSE / "01-the-arrest.md").read_text(encoding="utf-8")
    assert module.images == ("images/custody-record.png",)
    assert sample_course.module("review").estimated_minutes == 15
    assert sample_course.module("review").quiz is None


def test_module_standards_merge_front_matter_callouts_and_questions(sample_course):
    assert sample_course.module("the-arrest").standards == ("ICCPR-9", "BOP-12", "CAT-2", "ICCPR-14", "CAT-15")


def test_table_of_contents(sample_course):
    assert sample_course.module("the-arrest").toc == (
        TocEntry(level=2, anchor="liberty-is-the-rule", title="Liberty is the rule"),
        TocEntry(level=2, anchor="what-comes-next", title="What comes next"),
    )
    assert '<h2 id="liberty-is-the-rule">Liberty is the rule</h2>' in sample_course.module("the-arrest").learner_html


def test_urls_are_rewritten(sample_course):
    html = sample_course.module("the-arrest").learner_html
    assert '<img alt="A custody record form" src="/courses/sample-course/assets/images/custody-record.png">' in html
    assert '<a href="/courses/sample-course/m/in-custody#the-record">the custody suite</a>' in html


def test_callouts(sample_course):
    html = sample_course.module("the-arrest").learner_html
    assert (
        '<aside class="callout callout-standard" aria-label="Standard"><p class="callout-title">Standard</p>'
        '<ul class="callout-standards"><li><a href="/standards#ICCPR-9">ICCPR Art. 9 — Liberty and security of person'
        "</a></li></ul>"
    ) in html
    assert (
        '<aside class="callout callout-case-study" aria-label="Case study: The night shift">'
        '<p class="callout-title">Case study: The night shift</p>'
    ) in html
    assert '<aside class="callout callout-tip" aria-label="Tip"><p class="callout-title">Tip</p>' in html
    assert html.count("<aside") == html.count("</aside>") == 3


def test_facilitator_notes_only_in_trainer_html(sample_course):
    module = sample_course.module("the-arrest")
    notes = "Ask the group to list the safeguards"
    assert notes not in module.learner_html
    assert "callout-facilitator" not in module.learner_html
    assert notes in module.trainer_html
    assert (
        '<aside class="callout callout-facilitator" aria-label="Facilitator notes">'
        '<p class="callout-title">Facilitator notes</p>\n<p>Ask the group'
    ) in module.trainer_html
    without_notes = re.sub(r'<aside class="callout callout-facilitator".*?</aside>', "", module.trainer_html, flags=re.S)
    assert without_notes.split() == module.learner_html.split()


def test_quiz_never_in_the_body(sample_course):
    module = sample_course.module("the-arrest")
    for html in (module.learner_html, module.trainer_html):
        assert "At the time of arrest" not in html
        assert ":::" not in html


def test_word_count_excludes_quiz_and_facilitator_notes(registry):
    base = "---\ntitle: T\nobjectives: [x]\n---\nOne two three four five.\n"
    extra = ":::facilitator\nSix seven.\n:::\n\n:::quiz\n### Eight nine? {#q}\n- [x] ten\n- [ ] eleven\nExplanation: x.\n:::\n"
    plain, _ = parse_module_source(base, filename="01-a.md", course_slug="c", registry=registry)
    with_extras, _ = parse_module_source(base + "\n" + extra, filename="01-a.md", course_slug="c", registry=registry)
    assert plain.word_count == with_extras.word_count == 5


def test_quiz_settings(sample_course):
    arrest_quiz = sample_course.module("the-arrest").quiz
    assert (arrest_quiz.pass_mark, arrest_quiz.max_attempts, arrest_quiz.shuffle) == (80, 3, True)
    custody_quiz = sample_course.module("in-custody").quiz
    assert (custody_quiz.pass_mark, custody_quiz.max_attempts, custody_quiz.shuffle) == (70, None, False)


def test_question_types_ids_and_lines(sample_course):
    questions = sample_course.module("the-arrest").quiz.questions
    assert [(q.id, q.type, q.scenario_id, q.line) for q in questions] == [
        ("arrest-reasons-when", "single", None, 36),
        ("arrest-record-contents", "multiple", None, 45),
        ("arrest-superior-orders", "true_false", None, 53),
        ("arrest-fair-trial-article", "short_answer", None, 60),
        ("arrest-confession-first-step", "single", "arrest-confession", 69),
    ]


def test_options_in_order_with_feedback(sample_course):
    first = sample_course.module("the-arrest").quiz.questions[0]
    assert first.prompt_html == "<p>When must the reasons for an arrest be given?</p>"
    assert first.options == (
        Option(id="a", html="At the time of arrest", correct=True, feedback_html="<p>Right: ICCPR Article 9(2).</p>"),
        Option(id="b", html="At the first hearing", correct=False, feedback_html="<p>Too late.</p>"),
        Option(id="c", html="Only if the person asks", correct=False, feedback_html=""),
    )
    assert first.explanation_html == "<p>ICCPR Article 9(2) requires the reasons at the time of arrest.</p>"
    assert first.standards == ("ICCPR-9",)
    assert first.accepted_answers == ()


def test_true_false_and_multiple(sample_course):
    questions = sample_course.module("the-arrest").quiz.questions
    assert [(o.html, o.correct) for o in questions[1].options] == [
        ("The reasons for the arrest", True),
        ("The time of arrest", True),
        ("The officer’s opinion of the person’s guilt".replace("’", "'"), False),
    ]
    assert [(o.id, o.html, o.correct) for o in questions[2].options] == [("a", "True", False), ("b", "False", True)]


def test_short_answer(sample_course):
    question = sample_course.module("the-arrest").quiz.questions[3]
    assert question.options == ()
    assert question.accepted_answers == ("14", "Article 14")


def test_scenarios(sample_course):
    assert sample_course.module("the-arrest").quiz.scenarios == (
        Scenario(
            id="arrest-confession",
            title="The confession",
            text_html="<p>A suspect's signed confession reaches the prosecutor. His lawyer says it was obtained after "
            "two days without sleep.</p>",
        ),
    )


def test_derived_ids_follow_position(registry):
    text = (
        "---\ntitle: T\nobjectives: [x]\n---\nBody.\n\n:::quiz\n### One\n- [x] a\n- [ ] b\nExplanation: e.\n\n"
        "### Two {#two}\nAccept: yes\nExplanation: e.\n\n### Three {multiple}\n- [x] a\n- [x] b\nExplanation: e.\n:::\n"
    )
    module, problems = parse_module_source(text, filename="04-rights.md", course_slug="c", registry=registry)
    assert [question.id for question in module.quiz.questions] == ["rights-q1", "two", "rights-q3"]
    assert module.quiz.questions[2].type == "multiple"
    assert [problem.severity for problem in problems] == ["warning", "warning"]


def test_prompt_text_and_multiline_feedback_and_explanation(registry):
    text = (
        "---\ntitle: T\nobjectives: [x]\n---\nBody.\n\n:::quiz\n### Read the rule. {#q}\n"
        "> Article 9: no arbitrary arrest.\n\nWhich is right?\n"
        "- [x] **Bold** option\n  > First line\n  > second line.\n- [ ] Plain\n  continued\n"
        "Explanation: starts here\nand continues.\nStandards: ICCPR-9\n:::\n"
    )
    module, problems = parse_module_source(text, filename="01-a.md", course_slug="c", registry=registry)
    assert problems == ()
    question = module.quiz.questions[0]
    assert question.prompt_html == (
        "<p>Read the rule.</p>\n<blockquote>\n<p>Article 9: no arbitrary arrest.</p>\n</blockquote>\n<p>Which is right?</p>"
    )
    assert question.options[0].html == "<strong>Bold</strong> option"
    assert question.options[0].feedback_html == "<p>First line\nsecond line.</p>"
    assert question.options[1].html == "Plain\ncontinued"
    assert question.explanation_html == "<p>starts here\nand continues.</p>"


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("  Article   14 ", "article 14"), ("ARTICLE\t14", "article 14"), ("Straße", "strasse"), ("", ""),
     ("CCLEO-5", "ccleo 5"), ("Art.5", "art 5"), ("Art. 5", "art 5"), ("non‑refoulement", "non refoulement"),
     ("A/RES/34/169", "a/res/34/169"), ("Article 14.", "article 14")],
)
def test_normalise_answer(typed, normalised):
    assert normalise_answer(typed) == normalised


def test_registry(registry):
    assert "ICCPR-9" in registry and "ISTANBUL" in registry and "ICCPR-8" not in registry
    standard = registry.get("ICCPR-9")
    assert (standard.code, standard.instrument, standard.article) == ("ICCPR-9", "ICCPR", "9")
    assert standard.title == "Liberty and security of person"
    assert standard.instrument_title == "International Covenant on Civil and Political Rights"
    assert standard.label == "ICCPR Art. 9 — Liberty and security of person"
    assert registry.get("BOP").article is None
    assert (registry.get("BOP").unit, registry.get("BOP-12").unit) == ("principle", "principle")
    assert standard.unit == "article"
    assert registry.get("BOP-12").label == "BOP Principle 12 — Records of arrest"
    assert registry.get("nope") is None
    iccpr = registry.instruments[0]
    assert (iccpr.key, iccpr.kind, iccpr.adopted) == ("ICCPR", "treaty", "1966-12-16")
    assert [article.code for article in iccpr.articles] == ["ICCPR-7", "ICCPR-9", "ICCPR-14"]
    assert registry.codes[:4] == ("ICCPR", "ICCPR-7", "ICCPR-9", "ICCPR-14")


@pytest.mark.parametrize(
    ("instrument", "unit", "label"),
    [
        ("ICCPR", "article", "ICCPR Art. 9 — Title"),
        ("BPUFF", "principle", "BPUFF Principle 9 — Title"),
        ("NMR", "rule", "NMR Rule 9 — Title"),
        ("GRP", "guideline", "GRP Guideline 9 — Title"),
        ("BANGALORE", "value", "BANGALORE Value 9 — Title"),
        ("GC", "paragraph", "GC Paragraph 9 — Title"),
        ("X", "section", "X Section 9 — Title"),
        ("WPHRE", "phase", "WPHRE Phase 9 — Title"),
    ],
)
def test_label_names_the_unit(instrument, unit, label):
    standard = Standard(code=f"{instrument}-9", instrument=instrument, article="9", title="Title",
                        instrument_title="Instrument", unit=unit)
    assert standard.label == label
    whole = Standard(code=instrument, instrument=instrument, article=None, title="Instrument",
                     instrument_title="Instrument", unit=unit)
    assert whole.label == f"{instrument} — Instrument"


def test_standard_callout_cites_a_principle_as_a_principle(registry):
    rendered = render_markdown(":::standard BOP-12 ICCPR-9\n:::\n", course_slug="c", registry=registry)
    assert rendered.problems == ()
    assert '<a href="/standards#BOP-12">BOP Principle 12 — Records of arrest</a>' in rendered.html
    assert '<a href="/standards#ICCPR-9">ICCPR Art. 9 — Liberty and security of person</a>' in rendered.html


def test_render_markdown_alone():
    rendered = render_markdown(
        "# Title\n\nText[^1] and a [link](02-next.md).\n\n:::facilitator\nNotes.\n:::\n\n[^1]: A note.\n",
        course_slug="c",
        known_modules=["next"],
    )
    assert rendered.problems == ()
    assert "Notes." not in rendered.html
    assert 'href="/courses/c/m/next"' in rendered.html
    assert 'class="footnote"' in rendered.html
    assert rendered.toc == (TocEntry(1, "title", "Title"),)
    with_notes = render_markdown("Text.\n\n:::facilitator\nNotes.\n:::\n", course_slug="c", include_facilitator=True)
    assert "Notes." in with_notes.html


def test_tables_keep_alignment_without_style_attributes():
    rendered = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n", course_slug="c")
    assert '<th align="left">a</th>' in rendered.html and "style" not in rendered.html


def test_the_same_folder_parses_the_same_way_twice(registry):
    first = parse_course_folder(SAMPLE_COURSE, registry, root=FIXTURE_COURSES)
    second = parse_course_folder(SAMPLE_COURSE, registry, root=FIXTURE_COURSES)
    assert first == second


def test_content_package_imports_no_web_framework():
    package = Path(__file__).resolve().parents[2] / "app" / "content"
    imported = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "jinja2", "app"}
