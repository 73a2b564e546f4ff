"""Every time a page shows is in the installation's zone (TIME_ZONE), labelled with it, and every date is that
zone's date: a certificate earned at 12:00 UTC on 31 January is dated 1 February in Auckland."""

from datetime import datetime

import pytest
from sqlalchemy import select, update

from app.auth.models import User
from app.catalog.models import ContentRevision
from app.classrooms.models import AuditEvent
from app.extensions import db
from app.learning.models import Certificate
from app.quizzes.models import QuizAttempt
from tests.conftest import sign_in
from tests.learning.test_certificates import pdf_text_lines

NOON_UTC = datetime(2030, 1, 31, 12, 0)  # 2030-02-01 01:00 in Auckland (NZDT, UTC+13)
SHOWN = "2030-02-01 01:00 NZDT"


@pytest.fixture
def app_overrides():
    return {"TIME_ZONE": "Pacific/Auckland"}


def _stamp(app, model, column, **where):
    with app.app_context():
        statement = update(model).values({column: NOON_UTC})
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        db.session.execute(statement)
        db.session.commit()


def _choose_zone(client, zone: str):
    return client.post("/account", data={"display_name": "Lena", "audience": "other", "language": "en",
                                         "time_zone": zone})


# A holder who reads times in Bogota, where noon UTC on 31 January is still 31 January, sees the same date.
@pytest.mark.parametrize("holder_s_zone", ["", "America/Bogota"])
def test_a_certificate_carries_the_date_where_it_was_earned_whatever_zone_its_holder_reads_in(app, client, make,
                                                                                              people, holder_s_zone):
    course = make.course(modules=1, quiz_modules=())
    sign_in(client, people.learner)
    _choose_zone(client, holder_s_zone)
    client.post(f"/courses/{course.slug}/m/module-1/complete")
    _stamp(app, Certificate, "issued_at", user_id=people.learner.id)
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
    for page in (f"/certificates/{certificate.id}", "/learning", f"/verify/{certificate.code}"):
        html = client.get(page).text
        assert "2030-02-01" in html and "2030-01-31" not in html, page
    assert "on 2030-02-01" in pdf_text_lines(client.get(f"/certificates/{certificate.id}/certificate.pdf").data)


def test_attempt_history_and_admin_times_are_local_and_labelled(app, client, make, people):
    course = make.course(modules=1, quiz_modules=(1,))
    module = course.modules[0]
    make.submitted_attempt(people.learner, module, {})
    _stamp(app, QuizAttempt, "submitted_at", user_id=people.learner.id)
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert SHOWN in learner.get(f"/courses/{course.slug}/m/{module.slug}/quiz").text

    _stamp(app, ContentRevision, "created_at")
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    assert SHOWN in trainer.get(f"/author/{course.slug}/m/{module.slug}/history").text
    with app.app_context():
        course_row = db.session.get(type(course), course.id)
        course_row.updated_at = NOON_UTC
        db.session.commit()
    assert SHOWN in trainer.get("/author/").text

    make.classroom(people.trainer, members=[people.learner])  # writes an audit event
    _stamp(app, AuditEvent, "created_at")
    _stamp(app, User, "last_sign_in_at", id=people.learner.id)
    sign_in(client, people.admin)
    assert "2030-02-01 01:00:00 NZDT" in client.get("/admin/audit").text
    assert SHOWN in client.get("/admin/users").text


def test_a_person_who_chose_a_time_zone_reads_times_in_it_and_everyone_else_in_the_site_s(app, client, make,
                                                                                          people):
    course = make.course(modules=1, quiz_modules=(1,))
    module = course.modules[0]
    make.submitted_attempt(people.learner, module, {})
    _stamp(app, QuizAttempt, "submitted_at", user_id=people.learner.id)
    sign_in(client, people.learner)
    assert '<option selected value="">' in client.get("/account").text  # nobody has chosen yet: the site's zone
    assert _choose_zone(client, "America/Bogota").status_code == 302  # UTC-5, no summer time
    assert "2030-01-31 07:00 -05" in client.get(f"/courses/{course.slug}/m/{module.slug}/quiz").text
    assert '<option selected value="America/Bogota">America/Bogota</option>' in client.get("/account").text
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    _stamp(app, ContentRevision, "created_at")
    assert SHOWN in trainer.get(f"/author/{course.slug}/m/{module.slug}/history").text
    assert _choose_zone(client, "").status_code == 302  # back to the site's
    assert SHOWN in client.get(f"/courses/{course.slug}/m/{module.slug}/quiz").text


def test_a_due_date_is_typed_in_the_teacher_s_zone_and_read_in_each_learner_s(app, client, make, people):
    course = make.course(modules=1, quiz_modules=())
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.trainer)
    _choose_zone(client, "Europe/Paris")
    assert "Date and time in Europe/Paris." in client.get(f"/classes/{classroom.id}").text
    client.post(f"/classes/{classroom.id}/assignments",
                data={"target": f"course:{course.id}", "due_at": "2030-01-31T17:00"})
    with app.app_context():
        from app.classrooms.models import Assignment

        assert db.session.scalars(select(Assignment.due_at)).one() == datetime(2030, 1, 31, 16, 0)
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert "Due 2030-02-01 05:00 NZDT" in learner.get("/learning").text  # the site's zone: Auckland


def test_only_a_time_zone_from_the_list_is_accepted(app, client, people):
    sign_in(client, people.learner)
    for wrong in ("Mars/Olympus_Mons", "posixrules", "Etc/GMT+5"):
        response = _choose_zone(client, wrong)
        assert response.status_code == 200 and "Not a valid choice" in response.text, wrong
    with app.app_context():
        assert db.session.get(User, people.learner.id).time_zone is None
