"""The security suite's world: objects owned by each person of the `people` cast, for the url_map sweeps.

    open-course (published, one module with a quiz) and draft-course (draft: trainers and admins only), each with an
    image; lena and omar each passed the quiz (an attempt and a certificate: lena's public, omar's hidden) and have
    a second attempt open; class "ours" (tomas, with lena and an account tomas made) and class "theirs" (tanvi,
    with omar), each assigned the course and running a live session.

Display names carry markers (LENA-MARK, OMAR-MARK ...) so a sweep can tell whose data a page shows.
"""

from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from app.auth.models import User
from app.extensions import db
from tests.catalog.test_sync import PNG
from tests.conftest import sign_in

OPEN, DRAFT, MODULE = "open-course", "draft-course", "module-1"
ALL_RIGHT = {"m1-single": "b", "m1-multiple": ["a", "b"], "m1-truefalse": "b", "m1-short": "Article 26",
             "m1-case-first": "a"}
PEOPLE = ("anonymous", "learner", "other_learner", "trainer", "other_trainer", "admin")
MARKERS = {"learner": "LENA-MARK", "other_learner": "OMAR-MARK", "trainer": "TOMAS-MARK",
           "other_trainer": "TANVI-MARK", "admin": "ADA-MARK", "made": "MADE-MARK"}


def signed_in(app, user):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


@pytest.fixture
def world(app, make, people):
    from app.auth.models import User as UserRow
    from app.authoring import services as authoring_services
    from app.catalog.models import Course, Module
    from app.classrooms import live as live_sessions
    from app.classrooms import services as classroom_services
    from app.classrooms.models import Assignment, Classroom
    from app.learning.models import Certificate
    from app.quizzes import services as quiz_services

    with app.app_context():
        for name, marker in MARKERS.items():
            if name != "made":
                db.session.execute(update(User).where(User.id == getattr(people, name).id)
                                   .values(display_name=f"{marker} {getattr(people, name).username}"))
        db.session.commit()
    course = make.course(OPEN, modules=1)
    make.course(DRAFT, modules=1, status="draft")
    ours = make.classroom(people.trainer, name="Ours", members=[people.learner])
    theirs = make.classroom(people.other_trainer, name="Theirs", members=[people.other_learner])
    make.assignment(ours, course)
    make.assignment(theirs, course)
    module = course.modules[0]
    attempts = {}
    for who in ("learner", "other_learner"):
        attempts[who] = make.submitted_attempt(getattr(people, who), module, ALL_RIGHT).token
    with app.app_context():
        session = db.session
        for slug in (OPEN, DRAFT):
            course_row = session.scalar(select(Course).where(Course.slug == slug))
            authoring_services.upload_image(session, course_row, f"{slug}.png", PNG)
        module_row = session.get(Module, module.id)
        open_tokens = {who: quiz_services.start_attempt(session, session.get(UserRow, getattr(people, who).id),
                                                        module_row).token
                       for who in ("learner", "other_learner")}
        made, _passphrase = classroom_services.create_learner_accounts(
            session, session.get(UserRow, people.trainer.id), session.get(Classroom, ours.id),
            username_prefix="ours", display_names=[f"{MARKERS['made']} account"])[0]
        lives = {}
        for classroom, owner in ((ours, people.trainer), (theirs, people.other_trainer)):
            live = live_sessions.start_live_session(session, session.get(UserRow, owner.id),
                                                    session.get(Classroom, classroom.id), module_row)
            lives[classroom.id] = (live.id, live.code)
        certificates = {row.user_id: (row.id, row.code) for row in session.scalars(select(Certificate))}
        session.execute(update(Certificate).where(Certificate.user_id == people.other_learner.id)
                        .values(public=False))
        assignments = dict(session.execute(select(Assignment.classroom_id, Assignment.id)).all())
        made_id = made.id
        session.commit()
    assert set(certificates) == {people.learner.id, people.other_learner.id}, "both learners passed the course"
    return SimpleNamespace(
        people=people, course=course, module=module, ours=ours.id, theirs=theirs.id, made=made_id,
        submitted=attempts, open=open_tokens,
        certificate={who: certificates[getattr(people, who).id] for who in ("learner", "other_learner")},
        live={"ours": lives[ours.id], "theirs": lives[theirs.id]},
        assignment={"ours": assignments[ours.id], "theirs": assignments[theirs.id]},
    )
