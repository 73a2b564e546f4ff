"""Who may open which quiz address: person x method x URL -> status, including another learner's attempt."""

import pytest
from sqlalchemy import update

from app.catalog.models import Course, Module
from app.extensions import db
from tests.quizzes.conftest import ALL_RIGHT, QUIZ_URL, start_attempt, submit

OWN = "own"
THEIRS = "theirs"


@pytest.fixture
def tokens(app, client, course, people, login, make):
    """The learner's submitted attempt and their open one; the other learner's own attempt."""
    learner = login(app.test_client(), people.learner)
    submitted = start_attempt(learner)
    submit(learner, submitted, ALL_RIGHT)
    open_token = start_attempt(learner)
    other = login(app.test_client(), people.other_learner)
    other_token = start_attempt(other)
    return {"submitted": submitted, "open": open_token, "other": other_token}


def urls(tokens):
    return {
        "quiz page": ("GET", QUIZ_URL),
        "start": ("POST", f"{QUIZ_URL}/attempts"),
        "result": ("GET", f"{QUIZ_URL}/attempts/{tokens['submitted']}"),
        "save": ("POST", f"{QUIZ_URL}/attempts/{tokens['open']}/save"),
        "submit": ("POST", f"{QUIZ_URL}/attempts/{tokens['open']}/submit"),
    }


# The learner owns the attempts in the URLs; everyone else must get "not found" for them, never their contents.
MATRIX = [
    ("anonymous", "quiz page", 302), ("anonymous", "start", 401), ("anonymous", "result", 302),
    ("anonymous", "save", 401), ("anonymous", "submit", 401),
    ("learner", "quiz page", 200), ("learner", "start", 302), ("learner", "result", 200),
    ("learner", "save", 302), ("learner", "submit", 302),
    ("other_learner", "quiz page", 200), ("other_learner", "start", 302), ("other_learner", "result", 404),
    ("other_learner", "save", 404), ("other_learner", "submit", 404),
    ("trainer", "result", 404), ("trainer", "save", 404), ("trainer", "submit", 404),
    ("admin", "result", 404), ("admin", "save", 404), ("admin", "submit", 404),
]


@pytest.mark.parametrize(("person", "action", "status"), MATRIX, ids=lambda value: str(value))
def test_quiz_access_matrix(app, people, login, tokens, person, action, status):
    client = login(app.test_client(), getattr(people, person))
    method, url = urls(tokens)[action]
    response = client.open(url, method=method)
    assert response.status_code == status
    if status == 302 and person == "anonymous":
        assert "/signin" in response.location


def test_another_learners_attempt_is_not_found_even_with_their_token_in_my_quiz(app, people, login, tokens):
    client = login(app.test_client(), people.learner)
    assert client.get(f"{QUIZ_URL}/attempts/{tokens['other']}").status_code == 404
    assert client.post(f"{QUIZ_URL}/attempts/{tokens['other']}/submit", data=ALL_RIGHT).status_code == 404


def test_a_token_from_another_module_is_not_found(make, app, people, login, courses_root):
    make.course("test-course", root=courses_root, quiz_modules=(1, 3))
    client = login(app.test_client(), people.learner)
    token = start_attempt(client, "/courses/test-course/m/module-1/quiz")
    assert client.get(f"{QUIZ_URL}/attempts/{token}").status_code == 404
    assert client.post(f"{QUIZ_URL}/attempts/{token}/save").status_code == 404
    assert client.get(f"/courses/test-course/m/module-1/quiz/attempts/{token}").status_code == 302  # to its form


def test_a_quiz_in_an_unpublished_course_is_not_found_for_learners(make, app, people, login, courses_root):
    make.course("draft-course", root=courses_root, status="draft")
    url = "/courses/draft-course/m/module-3/quiz"
    assert login(app.test_client(), people.learner).get(url).status_code == 404
    assert login(app.test_client(), people.learner).post(f"{url}/attempts").status_code == 404
    assert login(app.test_client(), people.trainer).get(url).status_code == 200  # authors preview drafts


def test_every_quiz_address_of_an_archived_module_is_not_found(app, people, login, tokens):
    with app.app_context():
        db.session.execute(update(Module).where(Module.slug == "module-3").values(archived=True))
        db.session.commit()
    client = login(app.test_client(), people.learner)
    for method, url in urls(tokens).values():
        assert client.open(url, method=method).status_code == 404, url


def test_a_course_unpublished_after_an_attempt_hides_its_result_from_learners(app, people, login, tokens):
    with app.app_context():
        db.session.execute(update(Course).values(status="draft"))
        db.session.commit()
    client = login(app.test_client(), people.learner)
    assert client.get(urls(tokens)["result"][1]).status_code == 404


def test_a_module_without_a_quiz_has_no_quiz_page(app, course, people, login):
    client = login(app.test_client(), people.learner)
    assert client.get("/courses/test-course/m/module-1/quiz").status_code == 404
    assert client.get("/courses/no-such-course/m/module-3/quiz").status_code == 404
