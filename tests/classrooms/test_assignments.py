from datetime import timedelta

import pytest
from sqlalchemy import select

from app.classrooms.models import Assignment, AuditEvent
from app.extensions import db, utcnow
from app.learning.models import Enrolment
from tests.conftest import sign_in


def _enrolled(app, course_id):
    with app.app_context():
        return set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course_id)))


def test_assigning_a_course_enrols_every_member_and_later_joiners(client, app, make, people, course):
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.trainer)
    response = client.post(f"/classes/{classroom.id}/assignments",
                           data={"target": f"course:{course.id}", "due_at": "2030-01-31T17:00"})
    assert response.status_code == 302
    assert _enrolled(app, course.id) == {people.learner.id}
    late = app.test_client()
    sign_in(late, people.other_learner)
    late.post("/join", data={"code": classroom.join_code})
    assert _enrolled(app, course.id) == {people.learner.id, people.other_learner.id}
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assert assignment.module_id is None and assignment.due_at.isoformat() == "2030-01-31T17:00:00"


def test_a_due_date_already_passed_is_accepted_with_a_warning(client, app, make, people, course):
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.trainer)
    past = client.post(f"/classes/{classroom.id}/assignments",
                       data={"target": f"course:{course.id}", "due_at": "2020-01-31T17:00"}, follow_redirects=True)
    assert "Assigned." in past.text
    assert "The due date 2020-01-31 17:00 UTC has already passed" in past.text
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
    future = client.post(f"/classes/{classroom.id}/assignments/{assignment.id}/due",
                         data={"due_at": "2031-05-01T09:00"}, follow_redirects=True)
    assert "Due date changed." in future.text and "has already passed" not in future.text
    again = client.post(f"/classes/{classroom.id}/assignments/{assignment.id}/due",
                        data={"due_at": "2021-05-01T09:00"}, follow_redirects=True)
    assert "The due date 2021-05-01 09:00 UTC has already passed" in again.text


def test_a_single_module_can_be_assigned_once(client, app, make, people, course):
    classroom = make.classroom(people.trainer)
    module = course.modules[1]
    sign_in(client, people.trainer)
    client.post(f"/classes/{classroom.id}/assignments", data={"target": f"module:{module.id}"})
    again = client.post(f"/classes/{classroom.id}/assignments", data={"target": f"module:{module.id}"},
                        follow_redirects=True)
    assert "already assigned" in again.text
    with app.app_context():
        assert db.session.scalars(select(Assignment.module_id)).all() == [module.id]


def test_an_unknown_or_draft_target_is_not_assignable_by_a_learner_facing_id(client, make, people, course):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/assignments", data={"target": "course:999"}).status_code == 404
    assert client.post(f"/classes/{classroom.id}/assignments", data={"target": "module:999"}).status_code == 404
    assert client.post(f"/classes/{classroom.id}/assignments", data={"target": "nonsense"}).status_code == 404


def test_changing_and_removing_an_assignment_is_audited_and_keeps_enrolments(client, app, make, people, course):
    classroom = make.classroom(people.trainer, members=[people.learner])
    assignment = make.assignment(classroom, course)
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/assignments/{assignment.id}/due",
                       data={"due_at": "2031-05-01T09:00"}).status_code == 302
    assert client.post(f"/classes/{classroom.id}/assignments/{assignment.id}/remove").status_code == 302
    assert _enrolled(app, course.id) == {people.learner.id}
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        changed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment_changed"))
        assert changed.details["due_at"] == "2031-05-01T09:00" and changed.details["due_before"] is None
    assert actions[-3:] == ["assignment_created", "assignment_changed", "assignment_removed"]


def test_assigned_work_comes_first_on_my_learning_with_overdue_work_marked(client, make, people, course):
    classroom = make.classroom(people.trainer, name="Class 5B", members=[people.learner])
    make.assignment(classroom, course, course.modules[2], due_at=utcnow() + timedelta(days=3))
    make.assignment(classroom, course, course.modules[0], due_at=utcnow() - timedelta(days=1))
    sign_in(client, people.learner)
    page = client.get("/learning").text
    assigned = page.index("Assigned to you")
    assert assigned < page.index("In progress")
    overdue_first, later = page.index("Module 1", assigned), page.index("Module 3", assigned)
    assert overdue_first < later
    assert page.count("Overdue") == 1 and page.index("Overdue") < later


def test_learners_outside_the_class_see_no_assigned_work(client, make, people, course):
    classroom = make.classroom(people.trainer, members=[people.learner])
    make.assignment(classroom, course)
    sign_in(client, people.other_learner)
    assert "Assigned to you" not in client.get("/learning").text


class TestDueDatesInTheInstallationsTimeZone:
    @pytest.fixture
    def app_overrides(self):
        return {"TIME_ZONE": "Europe/Paris"}  # UTC+1 in winter, UTC+2 in summer

    def test_a_due_date_is_typed_and_shown_in_local_time_and_stored_in_utc(self, client, app, make, people, course):
        classroom = make.classroom(people.trainer, members=[people.learner])
        sign_in(client, people.trainer)
        client.post(f"/classes/{classroom.id}/assignments",
                    data={"target": f"course:{course.id}", "due_at": "2030-01-31T17:00"})
        with app.app_context():
            assignment = db.session.scalars(select(Assignment)).one()
            assert assignment.due_at.isoformat() == "2030-01-31T16:00:00"
        page = client.get(f"/classes/{classroom.id}").text
        assert "2030-01-31 17:00 CET" in page and 'value="2030-01-31T17:00"' in page
        assert "Date and time in Europe/Paris." in page  # said before the trainer types, not after
        client.post(f"/classes/{classroom.id}/assignments/{assignment.id}/due", data={"due_at": "2030-07-01T09:00"})
        with app.app_context():
            assert db.session.get(Assignment, assignment.id).due_at.isoformat() == "2030-07-01T07:00:00"
        learner = app.test_client()
        sign_in(learner, people.learner)
        assert "Due 2030-07-01 09:00 CEST" in learner.get("/learning").text


def test_an_unknown_time_zone_stops_the_app_with_a_clear_message(capsys):
    from app import create_app
    from config import TestingConfig

    with pytest.raises(SystemExit):
        create_app(TestingConfig, {"TIME_ZONE": "Mars/Olympus_Mons"})
    assert "TIME_ZONE='Mars/Olympus_Mons' is not a time zone name" in capsys.readouterr().err


def test_work_learners_can_no_longer_open_leaves_their_list_and_is_flagged_for_the_trainer(client, app, make,
                                                                                           people, course):
    from app.catalog.models import Course, CourseStatus

    classroom = make.classroom(people.trainer, members=[people.learner])
    make.assignment(classroom, course, due_at=utcnow() + timedelta(days=3))
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert "Assigned to you" in learner.get("/learning").text
    with app.app_context():
        db.session.get(Course, course.id).status = CourseStatus.DRAFT
        db.session.commit()
    assert "Assigned to you" not in learner.get("/learning").text  # no dead link
    sign_in(client, people.trainer)
    assert "Learners cannot open it: unpublished or archived" in client.get(f"/classes/{classroom.id}").text
