"""Courses built straight in the database, of any size, for the learning tests (make.course syncs real folders)."""

import pytest

from app.catalog.models import Course, Module, StandardEntry
from app.extensions import db

QUIZ = {
    "pass_mark": 70, "max_attempts": None, "shuffle": False, "scenarios": [],
    "questions": [{"id": "q1", "type": "true_false", "prompt_html": "<p>Torture is never allowed.</p>",
                   "options": [{"id": "true", "html": "True", "correct": True, "feedback_html": ""},
                               {"id": "false", "html": "False", "correct": False, "feedback_html": ""}],
                   "accepted_answers": [], "explanation_html": "", "standards": ["CAT-2"], "scenario_id": None,
                   "line": 1}],
}


INSTRUMENT_TITLES = {"CAT": "Convention against Torture", "ICCPR": "Civil and Political Rights"}


def build_course(app, slug="torture-prevention", modules=3, quiz_modules=(), status="published",
                 audiences=("police",), language="en", completion=None, archived=(), title=None):
    """A course with `modules` modules named m1, m2 ...; `quiz_modules` are the numbers (1-based) with a quiz."""
    with app.app_context():
        for code, instrument, article, title_text in (("CAT", "CAT", None, "Convention against Torture"),
                                                       ("CAT-2", "CAT", "2", "Absolute prohibition"),
                                                       ("ICCPR", "ICCPR", None, "Civil and Political Rights"),
                                                       ("ICCPR-7", "ICCPR", "7", "Prohibition of torture")):
            if db.session.get(StandardEntry, code) is None:
                db.session.add(StandardEntry(code=code, instrument=instrument, article=article, title=title_text,
                                             instrument_title=INSTRUMENT_TITLES[instrument],
                                             position=len(db.session.new) + 1))
        course = Course(slug=slug, title=title or slug.replace("-", " ").capitalize(), summary=f"About {slug}.",
                        audiences=list(audiences), language=language, estimated_minutes=30 * modules,
                        status=status, objectives=["Know the absolute prohibition."], standards=["CAT"],
                        completion=completion or {"modules": "all", "quizzes": "passed"}, source="",
                        intro_html=f"<p>Introduction to {slug}.</p>")
        for number in range(1, modules + 1):
            course.modules.append(Module(
                slug=f"m{number}", position=number, filename=f"{number:02}-m{number}.md", title=f"Module {number}",
                estimated_minutes=30, standards=["CAT-2"] if number == 1 else ["ICCPR-7"], source="",
                learner_html=f'<h2 id="part-{number}">Part {number}</h2><p>Learner text {number}.</p>',
                trainer_html=f'<h2 id="part-{number}">Part {number}</h2><p>Learner text {number}.</p>'
                             f'<aside class="callout facilitator"><p>Facilitator note {number}.</p></aside>',
                toc=[{"level": 2, "anchor": f"part-{number}", "title": f"Part {number}"}],
                quiz=QUIZ if number in quiz_modules else None, archived=number in archived,
                question_count=len(QUIZ["questions"]) if number in quiz_modules else 0,
            ))
        db.session.add(course)
        db.session.commit()
        db.session.refresh(course)
        for module in course.modules:
            db.session.refresh(module)
        db.session.expunge_all()
        return course


@pytest.fixture
def course_builder(app):
    def _build(**options):
        return build_course(app, **options)

    return _build
