import threading

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.catalog.models import Course
from app.extensions import db
from app.learning import services
from app.learning.models import Certificate, Enrolment, ModuleProgress


def load(app_user_id, slug):
    user = db.session.get(User, app_user_id)
    course = db.session.scalars(select(Course).where(Course.slug == slug)
                                .options(selectinload(Course.modules))).one()
    return user, course


def module(course, slug):
    return next(m for m in course.modules if m.slug == slug)


def test_enrol_is_idempotent_and_keeps_the_first_source(app, people, course_builder):
    course_builder()
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        first = services.enrol(db.session, user, course, source="class")
        again = services.enrol(db.session, user, course)
        db.session.commit()
        assert first.id == again.id and again.source == "class"
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_first_visit_enrols_and_records_times_and_a_recent_visit_writes_nothing(app, people, course_builder):
    course_builder()
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        services.record_module_visit(db.session, user, module(course, "m1"), None)
        db.session.commit()
        progress = db.session.scalars(select(ModuleProgress)).one()
        assert progress.first_opened_at == progress.last_seen_at and progress.completed_at is None
        assert db.session.scalar(select(Enrolment.course_id)) == course.id
        assert not services.needs_visit_recorded(progress)
        earlier = progress.last_seen_at - services.LAST_SEEN_RESOLUTION
        progress.last_seen_at = earlier
        db.session.commit()
        services.record_module_visit(db.session, user, module(course, "m1"), progress)
        db.session.commit()
        assert db.session.scalars(select(ModuleProgress)).one().last_seen_at > earlier


def test_quiz_results_keep_best_and_last_and_a_pass_for_good(app, people, course_builder):
    course_builder(modules=1, quiz_modules=(1,))
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        quiz_module = module(course, "m1")
        services.record_quiz_result(db.session, user, quiz_module, 40.0, False)
        progress = db.session.scalars(select(ModuleProgress)).one()
        assert (progress.best_score, progress.last_score, progress.completed_at) == (40.0, 40.0, None)
        services.record_quiz_result(db.session, user, quiz_module, 90.0, True)
        passed_at = db.session.scalars(select(ModuleProgress)).one().quiz_passed_at
        services.record_quiz_result(db.session, user, quiz_module, 50.0, False)
        db.session.commit()
        progress = db.session.scalars(select(ModuleProgress)).one()
        assert (progress.best_score, progress.last_score) == (90.0, 50.0)
        assert progress.quiz_passed_at == passed_at and progress.completed_at is not None


def test_certificate_is_issued_once_when_every_module_is_complete_and_every_quiz_passed(app, people,
                                                                                       course_builder):
    course_builder(modules=2, quiz_modules=(2,))
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        assert services.mark_module_complete(db.session, user, module(course, "m1")) is None
        assert services.check_course_completion(db.session, user, course) is None
        services.record_quiz_result(db.session, user, module(course, "m2"), 60.0, False)
        assert services.check_course_completion(db.session, user, course) is None
        services.record_quiz_result(db.session, user, module(course, "m2"), 100.0, True)
        certificate = services.check_course_completion(db.session, user, course)
        db.session.commit()
        assert certificate is not None and len(certificate.code) >= 32
        assert certificate.holder_name == "lena" and certificate.standards == ["CAT", "CAT-2", "ICCPR-7"]
        assert services.check_course_completion(db.session, user, course).code == certificate.code
        assert db.session.scalar(select(Enrolment.completed_at)) is not None
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_marking_a_quiz_module_complete_is_not_enough_when_quizzes_must_be_passed(app, people, course_builder):
    course_builder(modules=1, quiz_modules=(1,))
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        assert services.mark_module_complete(db.session, user, module(course, "m1")) is None


def test_completion_rule_with_listed_modules_and_optional_quizzes(app, people, course_builder):
    course_builder(modules=3, quiz_modules=(2,), completion={"modules": ["m2"], "quizzes": "none"})
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        certificate = services.mark_module_complete(db.session, user, module(course, "m2"))
        assert certificate is not None and certificate.standards == ["CAT", "ICCPR-7"]


def test_archived_modules_do_not_count_towards_completion(app, people, course_builder):
    course_builder(modules=2, archived=(2,))
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        assert services.mark_module_complete(db.session, user, module(course, "m1")) is not None


def test_concurrent_completion_checks_issue_one_certificate(app, people, course_builder):
    course_builder(modules=1)
    with app.app_context():
        user, course = load(people.learner.id, "torture-prevention")
        services.mark_module_complete(db.session, user, module(course, "m1"))
        db.session.execute(Certificate.__table__.delete())
        db.session.commit()
    barrier = threading.Barrier(8)
    codes, errors = [], []

    def complete():
        try:
            with app.app_context():
                user, course = load(people.learner.id, "torture-prevention")
                barrier.wait()
                codes.append(services.check_course_completion(db.session, user, course).code)
                db.session.commit()
        except Exception as error:  # collected and asserted below: a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=complete) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        stored = db.session.scalars(select(Certificate)).all()
    assert len(stored) == 1 and set(codes) == {stored[0].code}

