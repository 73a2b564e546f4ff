"""A trainer allows one more quiz attempt to a class member who used every attempt without passing."""

import pytest
from sqlalchemy import select

from app.classrooms.models import AuditEvent
from app.extensions import db
from app.learning.models import ModuleProgress
from app.quizzes.models import QuizAttempt
from tests.classrooms.conftest import ALL_RIGHT, ALL_WRONG, answers
from tests.conftest import sign_in

QUIZ_URL = "/courses/rights-course/m/module-2/quiz"


@pytest.fixture
def spent(make, people, cast):
    """lena failed module 2's quiz three times: its limit."""
    for _ in range(3):
        make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_WRONG))
    return cast


def learner_page(client, cast, people) -> str:
    return client.get(f"/classes/{cast.ours.id}/learners/{people.learner.id}").text


def allow(client, cast, people, allowed_before: int = 0):
    return client.post(f"/classes/{cast.ours.id}/learners/{people.learner.id}/modules/{cast.modules[1].id}"
                       "/another-attempt", data={"allowed_before": str(allowed_before)})


def extra_attempts(app, people, module) -> int:
    with app.app_context():
        return db.session.scalar(select(ModuleProgress.extra_attempts).where(
            ModuleProgress.user_id == people.learner.id, ModuleProgress.module_id == module.id))


def test_the_learner_page_offers_another_attempt_only_to_a_member_out_of_attempts(client, make, people, cast):
    sign_in(client, people.trainer)
    make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_WRONG))
    page = learner_page(client, cast, people)
    assert "Attempts used: 1 of 3" in page and "Allow one more attempt" not in page
    for _ in range(2):
        make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_WRONG))
    page = learner_page(client, cast, people)
    assert "Attempts used: 3 of 3" in page and page.count("Allow one more attempt") == 1
    assert f"/modules/{cast.modules[1].id}/another-attempt" in page


def test_the_grid_and_the_csv_say_who_used_every_attempt(client, make, people, spent):
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{spent.ours.id}/report").text
    assert page.count('<span class="badge badge-bad">all attempts used</span>') == 1
    rows = client.get(f"/classes/{spent.ours.id}/report.csv").data.decode("utf-8-sig").splitlines()
    assert [row for row in rows if "lena" in row][0].split(",")[3] == "Not passed (all attempts used)"
    allow(client, spent, people)
    assert "badge-bad\">all attempts used<" not in client.get(f"/classes/{spent.ours.id}/report").text


def test_an_allowed_attempt_lets_the_learner_start_the_quiz_again_and_pass(client, app, make, people, spent):
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert "your trainer or teacher can allow you another attempt" in learner.get(QUIZ_URL).text
    sign_in(client, people.trainer)
    response = allow(client, spent, people)
    assert response.status_code == 302 and response.location.endswith(f"#module-{spent.modules[1].id}")
    page = client.get(response.location).text
    assert "can take the quiz of Module 2 once more" in page
    assert "Attempts used: 3 of 4" in page and "(1 more allowed by a trainer)" in page
    assert "Allow one more attempt" not in page
    assert extra_attempts(app, people, spent.modules[1]) == 1

    assert "You have 1 attempt left." in learner.get(QUIZ_URL).text
    attempt = make.submitted_attempt(people.learner, spent.modules[1], answers(2, ALL_RIGHT))
    assert attempt.number == 4 and attempt.passed
    assert "Allow one more attempt" not in learner_page(client, spent, people)


def test_the_allowance_is_spent_by_one_attempt(client, app, make, people, spent):
    sign_in(client, people.trainer)
    allow(client, spent, people)
    make.submitted_attempt(people.learner, spent.modules[1], answers(2, ALL_WRONG))
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert learner.post(f"{QUIZ_URL}/attempts").status_code == 302
    assert "You have used all your attempts" in learner.get(QUIZ_URL).text
    with app.app_context():
        assert len(db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == people.learner.id)).all()) == 4
    page = learner_page(client, spent, people)
    assert "Attempts used: 4 of 4" in page and 'name="allowed_before" value="1"' in page


def test_a_second_click_or_a_co_trainer_at_the_same_moment_allows_nothing_more(client, app, people, spent):
    sign_in(client, people.trainer)
    allow(client, spent, people, allowed_before=0)
    page = client.get(allow(client, spent, people, allowed_before=0).location).text
    assert "Another attempt was allowed already" in page
    assert extra_attempts(app, people, spent.modules[1]) == 1


def test_another_attempt_is_refused_while_attempts_remain_or_after_a_pass(client, app, make, people, cast):
    sign_in(client, people.trainer)
    make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_WRONG))
    assert "still has attempts left" in client.get(allow(client, cast, people).location).text
    make.submitted_attempt(people.learner, cast.modules[1], answers(2, ALL_RIGHT))
    assert "has passed this quiz" in client.get(allow(client, cast, people).location).text
    assert extra_attempts(app, people, cast.modules[1]) == 0


def test_the_allowance_is_in_the_audit_log_and_in_the_learners_export(client, app, people, spent):
    sign_in(client, people.trainer)
    allow(client, spent, people)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt_allowed"))
        assert event.target_user_id == people.learner.id and event.classroom_id == spent.ours.id
        assert event.details == {"course": "Test course", "module": "Module 2"}
    admin, learner = app.test_client(), app.test_client()
    sign_in(admin, people.admin)
    assert "Another quiz attempt allowed" in admin.get("/admin/audit").text
    sign_in(learner, people.learner)
    export = learner.get("/account/export").get_json()
    assert [row["extra_attempts_allowed"] for row in export["progress"] if row["module_title"] == "Module 2"] == [1]


def test_only_modules_assigned_to_the_class_and_its_members_can_be_given_attempts(client, make, people, spent):
    sign_in(client, people.trainer)
    unassigned = make.course("other-course", modules=2, quiz_modules=(2,))
    base = f"/classes/{spent.ours.id}/learners"
    assert client.post(f"{base}/{people.learner.id}/modules/{unassigned.modules[1].id}/another-attempt",
                       data={"allowed_before": "0"}).status_code == 404
    assert client.post(f"{base}/{people.other_learner.id}/modules/{spent.modules[1].id}/another-attempt",
                       data={"allowed_before": "0"}).status_code == 404
    assert client.post(f"{base}/{people.learner.id}/modules/{spent.modules[0].id}/another-attempt",
                       data={"allowed_before": "0"}).status_code == 404  # module 1 has no quiz
    assert client.post(f"{base}/{people.learner.id}/modules/{spent.modules[1].id}/another-attempt",
                       data={"allowed_before": "one"}).status_code == 400



def test_an_administrator_lists_learners_out_of_attempts_and_allows_one_in_no_class(client, app, make, people):
    loner_course = make.course("self-paced", modules=2, quiz_modules=(2,))
    for _ in range(3):
        make.submitted_attempt(people.other_learner, loner_course.modules[1], answers(2, ALL_WRONG))
    make.submitted_attempt(people.learner, loner_course.modules[1], answers(2, ALL_WRONG))  # 2 attempts left
    sign_in(client, people.admin)
    assert 'href="/admin/attempts"' in client.get("/admin/users").text
    page = client.get("/admin/attempts").text
    assert people.other_learner.username in page and f"({people.learner.username})" not in page
    assert "No learner out of attempts matches" in client.get("/admin/attempts?q=nobody").text

    url = f"/admin/users/{people.other_learner.id}/modules/{loner_course.modules[1].id}/another-attempt?q=omar"
    response = client.post(url, data={"allowed_before": "0"})
    assert response.status_code == 302 and response.location == "/admin/attempts?q=omar"
    page = client.get(response.location).text
    assert "can take the quiz of Module 2 once more" in page and "No learner out of attempts matches" in page
    assert "Another attempt was allowed already" in client.get(
        client.post(url, data={"allowed_before": "0"}).location).text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attempt_allowed"))
        assert event.classroom_id is None and event.target_user_id == people.other_learner.id

    learner = app.test_client()
    sign_in(learner, people.other_learner)
    assert "You have 1 attempt left." in learner.get("/courses/self-paced/m/module-2/quiz").text


def test_an_administrator_cannot_allow_attempts_at_a_module_without_a_quiz_or_unknown(client, people, spent):
    sign_in(client, people.admin)
    base = f"/admin/users/{people.learner.id}/modules"
    assert client.post(f"{base}/{spent.modules[0].id}/another-attempt", data={"allowed_before": "0"}).status_code == 404
    assert client.post(f"{base}/999999/another-attempt", data={"allowed_before": "0"}).status_code == 404
    assert client.post(f"{base}/{spent.modules[1].id}/another-attempt", data={}).status_code == 400
