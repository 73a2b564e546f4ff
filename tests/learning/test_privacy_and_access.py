import json
import re

import pytest
from sqlalchemy import func, select

from app.auth.models import LoginSession, User
from app.catalog.models import Module
from app.classrooms.models import Classroom, ClassroomMember
from app.extensions import db
from app.learning.models import Certificate, Enrolment, ModuleProgress
from app.quizzes.models import AttemptAnswer, PracticeAnswer, QuizAttempt
from tests.conftest import sign_in
from tests.factories import DEFAULT_PASSWORD


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def give_learner_a_record(app, user, course_builder):
    """Progress, a certificate, a graded attempt, a practice answer and a class membership for `user`."""
    course_builder(modules=2, quiz_modules=(2,))
    client = signed_in(app, user)
    client.post("/courses/torture-prevention/m/m1/complete")
    with app.app_context():
        from app.learning import services

        learner = db.session.get(User, user.id)
        quiz_module = db.session.scalars(select(Module).where(Module.slug == "m2")).one()
        attempt = QuizAttempt(token=f"token-{user.id}", user_id=user.id, module_id=quiz_module.id, number=1,
                              status="submitted", open_slot=None, score=100.0, passed=True)
        attempt.answers.append(AttemptAnswer(question_key="q1", response=["true"], correct=True, points=1.0))
        db.session.add(attempt)
        db.session.add(PracticeAnswer(user_id=user.id, module_id=quiz_module.id, question_key="q1",
                                      response=["false"], correct=False))
        classroom = Classroom(name=f"Cohort of {user.username}", audience="police", join_code=f"JOIN{user.id}")
        db.session.add(classroom)
        db.session.flush()
        db.session.add(ClassroomMember(classroom_id=classroom.id, user_id=user.id))
        services.record_quiz_result(db.session, learner, quiz_module, 100.0, True)
        services.check_course_completion(db.session, learner, quiz_module.course)
        db.session.commit()
    return client


class TestExport:
    def test_the_export_holds_everything_about_the_learner_and_nothing_about_others(self, app, people,
                                                                                     course_builder):
        from app.classrooms.services import record_audit

        client = give_learner_a_record(app, people.learner, course_builder)
        signed_in(app, people.other_learner).post("/courses/torture-prevention/m/m1/complete")
        with app.app_context():
            trainer, learner = db.session.get(User, people.trainer.id), db.session.get(User, people.learner.id)
            learner.time_zone = "Africa/Nairobi"
            classroom = db.session.scalars(select(Classroom)).one()
            record_audit(db.session, trainer, "password_reset", classroom=classroom, target=learner,
                         username=learner.username)
            record_audit(db.session, trainer, "class_created", classroom=classroom, name=classroom.name)
            record_audit(db.session, trainer, "accounts_created", classroom=classroom, count=2,
                         usernames=["lena", "omar"])
            record_audit(db.session, trainer, "accounts_created", classroom=classroom, count=1, usernames=["zoe"])
            db.session.commit()
        response = client.get("/account/export")
        assert response.status_code == 200 and response.mimetype == "application/json"
        # The file's name does not name the account.
        assert re.fullmatch(r'attachment; filename="article26-my-data-\d{4}-\d\d-\d\d\.json"',
                            response.headers["Content-Disposition"])
        data = json.loads(response.data)
        assert data["profile"]["username"] == "lena" and data["profile"]["time_zone"] == "Africa/Nairobi"
        # The class log's entries about her, in words; not the ones about others.
        assert [(event["action"], event["by"], event["class"], event["details"]) for event in data["audit_log"]] == [
            ("New passphrase given", people.trainer.username, "Cohort of lena", {"Username": "lena"}),
            ("Class accounts created", people.trainer.username, "Cohort of lena", {"Usernames": "lena"})]
        assert [e["course"] for e in data["enrolments"]] == ["torture-prevention"]
        assert {p["module"] for p in data["progress"]} == {"m1", "m2"}
        # Readable without the app: the question and the chosen option in words, beside their ids.
        assert data["quiz_attempts"][0]["answers"] == [{
            "question": "q1", "question_text": "Torture is never allowed.", "response": ["true"],
            "chosen_options_text": ["True"], "correct": True, "points": 1.0}]
        assert data["practice_answers"][0]["response"] == ["false"]
        assert data["certificates"][0]["course_title"] == "Torture prevention"
        assert data["class_memberships"] == [{"class": "Cohort of lena", "joined_at": data["class_memberships"][0]
                                              ["joined_at"]}]
        # The certificate's verification code is random: it could hold "omar" by chance.
        exported = response.get_data(as_text=True).replace(data["certificates"][0]["verification_code"], "")
        assert "omar" not in exported
        assert "password" not in exported


class TestErasure:
    def test_a_wrong_password_erases_nothing(self, app, people, course_builder):
        client = give_learner_a_record(app, people.learner, course_builder)
        response = client.post("/account/delete", data={"password": "wrong password", "understood": "y"})
        assert response.status_code == 200 and "The password is wrong." in response.get_data(as_text=True)
        with app.app_context():
            assert not db.session.get(User, people.learner.id).erased

    def test_erasure_anonymises_answers_and_deletes_the_rest(self, app, people, course_builder):
        client = give_learner_a_record(app, people.learner, course_builder)
        signed_in(app, people.other_learner).post("/courses/torture-prevention/m/m1/complete")
        with app.app_context():
            db.session.get(User, people.learner.id).time_zone = "Africa/Nairobi"
            db.session.commit()
        response = client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
        assert response.status_code == 302
        with app.app_context():
            user = db.session.get(User, people.learner.id)
            assert user.erased and not user.active and user.username.startswith("erased-")
            assert user.display_name == "" and user.email is None and user.time_zone is None
            for model in (ModuleProgress, Enrolment, Certificate, LoginSession, ClassroomMember):
                assert db.session.scalar(select(func.count()).select_from(model).where(
                    model.user_id == people.learner.id)) == 0, model
            attempt = db.session.scalars(select(QuizAttempt)).one()
            assert attempt.user_id is None and attempt.score == 100.0 and len(attempt.answers) == 1
            assert db.session.scalars(select(PracticeAnswer)).one().user_id is None
            assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1  # omar's stays
        assert client.get("/learning").status_code == 302  # signed out
        refused = app.test_client().post("/signin", data={"username": "lena", "password": DEFAULT_PASSWORD})
        assert refused.status_code == 200

    def test_erasure_forgets_the_words_typed_and_keeps_whether_they_were_right(self, app, people, course_builder):
        client = give_learner_a_record(app, people.learner, course_builder)
        with app.app_context():
            attempt = db.session.scalars(select(QuizAttempt)).one()
            attempt.answers.append(AttemptAnswer(question_key="q-typed", response="My name is Lena Example",
                                                 correct=False, points=0.0))
            module = db.session.get(Module, attempt.module_id)
            db.session.add(PracticeAnswer(user_id=people.learner.id, module_id=module.id, question_key="q-typed",
                                          response="Lena from 5B", correct=True))
            reading = db.session.scalars(select(Module).where(Module.slug == "m1")).one()
            db.session.add(QuizAttempt(token="open-draft", user_id=people.learner.id, module_id=reading.id,
                                       number=1, draft_answers={"q-typed": "Lena again"}))
            db.session.commit()
        assert client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"}).status_code == 302
        with app.app_context():
            stored = json.dumps([[answer.response for answer in row.answers] + [row.draft_answers]
                                 for row in db.session.scalars(select(QuizAttempt))]
                                + [row.response for row in db.session.scalars(select(PracticeAnswer))])
            assert "Lena" not in stored
            typed = db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.question_key == "q-typed")).one()
            assert typed.response is None and typed.correct is False  # the statistic stays true
            assert db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.question_key == "q1")).one() \
                .response == ["true"]  # a choice names nobody: kept


    def test_erasure_takes_the_username_out_of_the_audit_log(self, app, people, course_builder):
        from app.classrooms.models import AuditEvent
        from app.classrooms.services import record_audit

        client = give_learner_a_record(app, people.learner, course_builder)
        with app.app_context():
            learner, trainer = db.session.get(User, people.learner.id), db.session.get(User, people.trainer.id)
            classroom = db.session.scalars(select(Classroom)).one()
            record_audit(db.session, trainer, "accounts_created", classroom=classroom, count=2,
                         usernames=[learner.username, "omar"])
            record_audit(db.session, trainer, "password_reset", classroom=classroom, target=learner,
                         username=learner.username)
            record_audit(db.session, learner, "learner_left", classroom=classroom, target=learner,
                         username=learner.username)
            db.session.commit()
        assert client.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"}).status_code == 302
        with app.app_context():
            events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
            assert "lena" not in json.dumps([(event.actor_label, event.details) for event in events])
            assert [event.action for event in events] == ["accounts_created", "password_reset", "learner_left"]
            assert events[0].details["usernames"] == ["(erased account)", "omar"]  # the others stay
            assert events[1].actor_label == people.trainer.username
            assert events[2].actor_label == "(erased account)"

    def test_erasure_takes_a_trainers_name_out_of_course_revisions(self, app, people, make):
        from app.catalog.models import ContentRevision, Module

        make.course(modules=1, status="draft")
        trainer = signed_in(app, people.trainer)
        with app.app_context():
            module = db.session.scalars(select(Module)).one()
            source, version = module.source, module.version
        trainer.post("/author/test-course/m/module-1", data={"source": source + "\nEdited.\n",
                                                              "version": str(version), "save": "1"})
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ContentRevision).where(
                ContentRevision.author_label == people.trainer.username)) == 1
        assert trainer.post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"}).status_code == 302
        with app.app_context():
            labels = db.session.scalars(select(ContentRevision.author_label)).all()
            assert people.trainer.username not in labels and "(erased account)" in labels

    def test_the_account_page_links_to_export_and_deletion(self, app, people):
        html = signed_in(app, people.learner).get("/account").get_data(as_text=True)
        assert 'href="/account/export"' in html and 'href="/account/delete"' in html


def routes_for(learner_certificate_id: int, other_certificate_id: int):
    return [
        ("GET", "/learning", {"anonymous": 302, "learner": 200, "other_learner": 200}),
        ("GET", "/account/export", {"anonymous": 302, "learner": 200, "other_learner": 200}),
        ("GET", f"/certificates/{learner_certificate_id}", {"anonymous": 302, "learner": 200, "other_learner": 404,
                                                            "trainer": 404, "admin": 404}),
        ("GET", f"/certificates/{learner_certificate_id}/certificate.pdf",
         {"anonymous": 302, "learner": 200, "other_learner": 404, "trainer": 404, "admin": 404}),
        ("POST", f"/certificates/{learner_certificate_id}/visibility",
         {"anonymous": 302, "learner": 302, "other_learner": 404, "trainer": 404, "admin": 404}),
        ("GET", f"/certificates/{other_certificate_id}", {"learner": 404}),
        ("GET", f"/certificates/{other_certificate_id + 1}", {"learner": 404}),
        ("POST", "/courses/torture-prevention/enrol", {"anonymous": 302, "learner": 302}),
        ("POST", "/courses/torture-prevention/m/m1/complete", {"anonymous": 302, "learner": 302}),
        ("GET", "/courses/torture-prevention/m/m1", {"anonymous": 302, "learner": 200, "trainer": 200}),
        ("POST", "/account/delete", {"anonymous": 302}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "learner", "other_learner", "trainer", "admin"])
def test_access_matrix_learners_never_reach_each_others_records(app, people, course_builder, who):
    course_builder(modules=1)
    ids = {}
    for name in ("learner", "other_learner"):
        signed_in(app, getattr(people, name)).post("/courses/torture-prevention/m/m1/complete")
        with app.app_context():
            ids[name] = db.session.scalar(select(Certificate.id).where(
                Certificate.user_id == getattr(people, name).id))
    client = app.test_client()
    if who != "anonymous":
        sign_in(client, getattr(people, who))
    for method, url, expected in routes_for(ids["learner"], ids["other_learner"]):
        if who not in expected:
            continue
        response = client.open(url, method=method, data={"public": "1"})
        assert response.status_code == expected[who], (who, method, url, response.status_code)


def test_others_progress_never_shows_on_my_pages(app, people, course_builder):
    course_builder(modules=2)
    signed_in(app, people.other_learner).post("/courses/torture-prevention/m/m1/complete")
    client = signed_in(app, people.learner)
    for url in ("/courses", "/courses/torture-prevention", "/learning", "/standards"):
        html = client.get(url).get_data(as_text=True)
        assert "status-completed" not in html and "badge-ok" not in html and "1 of 2 modules completed" not in html


class TestLeavingACourse:
    def record(self, app, user):
        with app.app_context():
            enrolments = db.session.scalar(select(func.count()).select_from(Enrolment)
                                           .where(Enrolment.user_id == user.id))
            progress = db.session.scalar(select(func.count()).select_from(ModuleProgress)
                                         .where(ModuleProgress.user_id == user.id))
            attempts = db.session.scalar(select(func.count()).select_from(QuizAttempt)
                                         .where(QuizAttempt.user_id == user.id))
            return enrolments, progress, attempts

    def test_a_course_only_looked_at_leaves_no_trace(self, app, people, course_builder):
        course_builder(modules=2, quiz_modules=(2,))
        client = signed_in(app, people.learner)
        client.get("/courses/torture-prevention/m/m1")  # opened while browsing: enrolled
        client.post("/courses/torture-prevention/m/m2/quiz/attempts")  # an attempt started, never submitted
        other = signed_in(app, people.other_learner)
        other.get("/courses/torture-prevention/m/m1")
        page = client.get("/courses/torture-prevention").text
        assert "Leave this course" in page and 'data-confirm="Leave this course? Your progress in it is deleted.' in page
        assert self.record(app, people.learner) == (1, 2, 1)

        left = client.post("/courses/torture-prevention/leave")
        assert left.status_code == 302 and left.location.endswith("/learning")
        assert "You left Torture prevention: it is no longer in My learning, and your progress in it is deleted." \
               in client.get("/learning").text
        assert self.record(app, people.learner) == (0, 0, 0)
        assert self.record(app, people.other_learner) == (1, 1, 0)  # only mine
        assert "Torture prevention" not in client.get("/learning").text

    def test_a_course_with_results_a_certificate_or_a_class_stays(self, app, people, course_builder):
        client = give_learner_a_record(app, people.learner, course_builder)  # a passed quiz and a certificate
        assert "Leave this course" not in client.get("/courses/torture-prevention").text
        refused = client.post("/courses/torture-prevention/leave", follow_redirects=True)
        assert "You completed this course: it stays in your record with its certificate" in refused.text
        with app.app_context():
            db.session.execute(Certificate.__table__.delete())
            db.session.commit()
        assert "Leave this course" not in client.get("/courses/torture-prevention").text  # not offered to refuse
        refused = client.post("/courses/torture-prevention/leave", follow_redirects=True)
        assert "You have quiz results in this course: it stays in your record, with them." in refused.text
        assert self.record(app, people.learner)[0] == 1

    def test_a_course_a_class_assigns_stays(self, app, make, people, course_builder):
        course = course_builder(modules=1)
        classroom = make.classroom(people.trainer, name="Cohort A", members=[people.learner])
        make.assignment(classroom, course)
        client = signed_in(app, people.learner)
        client.get("/courses/torture-prevention/m/m1")
        refused = client.post("/courses/torture-prevention/leave", follow_redirects=True)
        assert "Your class Cohort A has this course as its work: it stays in My learning." in refused.text
        assert self.record(app, people.learner)[0] == 1
