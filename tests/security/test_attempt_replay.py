"""Attempt replay beyond the quizzes tests (which cover a double submit and twenty concurrent ones): a submission
replayed after signing out and in again, from a stolen cookie after sign-out, and with another learner's token."""

from sqlalchemy import func, select

from app.extensions import db
from app.quizzes.models import AttemptAnswer, QuizAttempt
from tests.conftest import sign_in
from tests.security.conftest import MODULE, OPEN, signed_in

QUIZ = f"/courses/{OPEN}/m/{MODULE}/quiz"
WRONG = {"q-m1-single": "a", "q-m1-multiple": "c", "q-m1-truefalse": "a", "q-m1-short": "25", "q-m1-case-first": "b"}
RIGHT = {"q-m1-single": "b", "q-m1-multiple": ["a", "b"], "q-m1-truefalse": "b", "q-m1-short": "Article 26",
         "q-m1-case-first": "a"}


def recorded(app) -> tuple:
    with app.app_context():
        return (tuple(db.session.execute(select(QuizAttempt.token, QuizAttempt.status, QuizAttempt.score)
                                         .order_by(QuizAttempt.id)).all()),
                db.session.scalar(select(func.count()).select_from(AttemptAnswer)))


def test_a_submission_replayed_after_signing_out_and_in_records_nothing(app, world):
    client = signed_in(app, world.people.learner)
    token = world.open["learner"]
    assert client.post(f"{QUIZ}/attempts/{token}/submit", data=WRONG).status_code == 302
    after_first = recorded(app)
    client.post("/signout")
    sign_in(client, world.people.learner)
    replay = client.post(f"{QUIZ}/attempts/{token}/submit", data=RIGHT)
    assert replay.status_code == 302 and replay.headers["Location"].endswith(f"/attempts/{token}")
    assert "already submitted" in client.get(replay.headers["Location"]).text
    assert client.post(f"{QUIZ}/attempts/{token}/save", data=RIGHT).status_code == 302
    assert recorded(app) == after_first


def test_a_submission_replayed_with_a_cookie_stolen_before_sign_out_is_refused(app, world):
    client = signed_in(app, world.people.learner)
    thief = app.test_client()
    thief.set_cookie("a26_session", client.get_cookie("a26_session").value)
    client.post("/signout")
    before = recorded(app)
    response = thief.post(f"{QUIZ}/attempts/{world.open['learner']}/submit", data=RIGHT)
    assert response.status_code == 401
    assert recorded(app) == before


def test_another_learners_token_submits_and_saves_nothing_for_either(app, world):
    before = recorded(app)
    client = signed_in(app, world.people.learner)
    for token in (world.open["other_learner"], world.submitted["other_learner"]):
        for action in ("submit", "save"):
            assert client.post(f"{QUIZ}/attempts/{token}/{action}", data=RIGHT).status_code == 404
        assert client.get(f"{QUIZ}/attempts/{token}").status_code == 404
    assert recorded(app) == before
    # Their open attempt is still theirs to submit.
    other = signed_in(app, world.people.other_learner)
    assert other.post(f"{QUIZ}/attempts/{world.open['other_learner']}/submit", data=WRONG).status_code == 302
