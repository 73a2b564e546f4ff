"""Answer leakage before submission, across every quiz of the real seed library (courses/), not only the test
fixture: the module page, the quiz's start page, its answer form with saved drafts and the autosave reply carry no
correct flags, option feedback, explanations or accepted answers (the module page, which teaches the answers,
carries no markup that flags one)."""

import html as html_lib
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalog.models import Course, Module
from app.extensions import db
from tests.security.conftest import signed_in

LIBRARY = Path(__file__).resolve().parents[2] / "courses"
TOKEN = re.compile(r"/quiz/attempts/([A-Za-z0-9_-]+)/submit")
FLAG_IN_MARKUP = re.compile(r'<[^>]*\b(?:class|id|name|value|data-[\w-]+)="[^"]*(?:correct|feedback|explanation|'
                            r'accepted)[^"]*"', re.IGNORECASE)


def main_of(page: str, token: str = "") -> str:
    main = page[page.index("<main"):page.index("</main>")]
    main = re.sub(r'name="csrf_token" value="[^"]*"', "", main)
    return main.replace(token, "TOKEN") if token else main


def plain(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()


def words(fragment: str) -> str:
    return " ".join(plain(fragment))


def secrets_of(quiz: dict) -> list[str]:
    """What a learner must not see before submitting, as plain text, minus whatever the questions themselves show
    (an accepted answer such as "torture" may well be a word of the prompt)."""
    shown = " ".join(words(question["prompt_html"]) + " " + " ".join(words(o["html"]) for o in question["options"])
                     for question in quiz["questions"])
    shown += " ".join(words(scenario["text_html"]) for scenario in quiz.get("scenarios") or [])
    found = []
    for question in quiz["questions"]:
        found.append(words(question["explanation_html"] or ""))
        found.extend(words(option["feedback_html"]) for option in question["options"] if option["feedback_html"])
        found.extend(question["accepted_answers"])
    return [secret for secret in found if secret and not re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", shown)]


def leaks(secret: str, page: str) -> bool:
    """A long secret anywhere in the page's text; a short one (an accepted "5" or "CAT") as a value in the markup,
    where it would pre-fill or label an answer — as a word it is everywhere ("Question 5 of 6")."""
    if len(secret) > 3:
        return re.search(rf"(?<!\w){re.escape(secret)}(?!\w)", words(page)) is not None
    return re.search(rf'="{re.escape(html_lib.escape(secret))}"', page, re.IGNORECASE) is not None


@pytest.fixture
def library(app, make):
    make.synced_course(LIBRARY, "human-rights-for-everyone")
    with app.app_context():
        rows = db.session.execute(select(Course.slug, Module.slug, Module.quiz).join(Module.course)
                                  .where(Module.quiz.is_not(None), Module.archived.is_(False))
                                  .order_by(Course.slug, Module.position)).all()
    return [(course, module, quiz) for course, module, quiz in rows]


def test_no_quiz_page_of_the_seed_library_leaks_an_answer_before_submission(app, library, people):
    assert len(library) >= 20, "the seed library's quizzes were synced"
    client = signed_in(app, people.learner)
    checked = 0
    for course, module, quiz in library:
        base = f"/courses/{course}/m/{module}"
        secrets = secrets_of(quiz)
        module_page = client.get(base)
        start_page = client.get(f"{base}/quiz")
        assert module_page.status_code == start_page.status_code == 200, base
        client.post(f"{base}/quiz/attempts")
        form_page = client.get(f"{base}/quiz").text
        token = TOKEN.search(form_page).group(1)
        first = quiz["questions"][0]
        draft = {f"q-{first['id']}": first["options"][0]["id"] if first["options"] else "draft"}
        autosave = client.post(f"{base}/quiz/attempts/{token}/save", data=draft,
                               headers={"Accept": "application/json"})
        assert autosave.json == {"saved": True}
        form_page = client.get(f"{base}/quiz").text
        # The module page teaches what the quiz asks, so its words may match an answer; it must not mark one.
        assert not FLAG_IN_MARKUP.search(main_of(module_page.text)), f"{base} module page marks answers"
        for name, page in (("start", main_of(start_page.text)), ("form", main_of(form_page, token))):
            for secret in secrets:
                assert not leaks(secret, page), f"{base} {name} page leaks {secret!r}"
            assert not FLAG_IN_MARKUP.search(page), f"{base} {name} page marks answers: " \
                                                   f"{FLAG_IN_MARKUP.search(page).group(0)}"
        for question in quiz["questions"]:
            assert words(question["prompt_html"]) in words(form_page), f"{base}: the form shows every question"
        checked += len(secrets)
    assert checked >= 100, "the library has feedback, explanations and accepted answers to leak"
