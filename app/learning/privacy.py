"""A learner's own data: everything we hold about them as JSON, and erasure of their account.

Erasure keeps the user row as a tombstone (erased=True, random username, personal fields emptied) rather than
deleting it: quiz attempts and practice answers are anonymised (user_id NULL) so class statistics stay true, and
the audit log keeps pointing at a row that no longer says who it was (and forgets the username it wrote down).
"""

import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, select, union, update
from sqlalchemy.orm import Session, selectinload

from app.auth.models import Audience, LoginSession, User
from app.auth.passwords import verify_password
from app.auth.services import WrongPassword
from app.catalog.models import ContentRevision, Course, Module
from app.classrooms.audit import action_label, readable_details
from app.classrooms.models import (
    Assignment,
    Classroom,
    ClassroomMember,
    ClassroomTrainer,
    ErasedMembership,
    LiveAnswer,
    LiveParticipant,
    LiveSession,
)
from app.classrooms.services import ERASED_LABEL, audit_events_naming, forget_in_audit_log, record_audit
from app.errors import InvalidInput
from app.learning.models import Certificate, Enrolment, ModuleProgress
from app.quizzes.models import AttemptAnswer, AttemptStatus, PracticeAnswer, QuizAttempt
from app.quizzes.queries import quiz_as_taken

EXPORT_FORMAT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _text(fragment_html: str | None) -> str:
    """Sanitised course HTML as plain text, for a reader of the export rather than a browser."""
    return Markup(fragment_html or "").striptags()  # nosec B704 (sanitised HTML in, plain text out, into JSON)


def _questions_as_taken(session: Session, attempts: list[QuizAttempt]) -> dict[int, dict[str, dict[str, Any]]]:
    """Attempt id -> question id -> the question as the learner saw it (the attempt's revision of the quiz, or
    the module's current quiz if that revision is gone). Two statements, however many attempts."""
    revision_ids = {attempt.revision_id for attempt in attempts if attempt.revision_id is not None}
    revision_quizzes = dict(session.execute(
        select(ContentRevision.id, ContentRevision.quiz).where(ContentRevision.id.in_(revision_ids))).all()
    ) if revision_ids else {}
    module_ids = {attempt.module_id for attempt in attempts if revision_quizzes.get(attempt.revision_id) is None}
    module_quizzes = dict(session.execute(
        select(Module.id, Module.quiz).where(Module.id.in_(module_ids))).all()) if module_ids else {}
    taken = {}
    for attempt in attempts:
        quiz = quiz_as_taken(revision_quizzes.get(attempt.revision_id), module_quizzes.get(attempt.module_id)) or {}
        taken[attempt.id] = {question["id"]: question for question in quiz.get("questions") or []}
    return taken


def _answer_export(answer, question: dict[str, Any] | None) -> dict[str, Any]:
    exported = {"question": answer.question_key, "response": answer.response, "correct": answer.correct,
                "points": answer.points}
    if question is not None:
        options = {option["id"]: _text(option["html"]) for option in question.get("options") or []}
        chosen = answer.response if isinstance(answer.response, list) else [answer.response]
        exported["question_text"] = _text(question.get("prompt_html"))
        if options:
            exported["chosen_options_text"] = [options.get(choice, choice) for choice in chosen]
    return exported


def export_user_data(session: Session, user: User) -> dict[str, Any]:
    modules = {}

    def module_ref(module_id: int) -> dict[str, Any]:
        return modules.get(module_id, {"module_id": module_id})

    for module_id, module_slug, module_title, course_slug, course_title in session.execute(
        select(Module.id, Module.slug, Module.title, Course.slug, Course.title)
        .join(Course, Course.id == Module.course_id)
        .where(Module.id.in_(union(
            select(ModuleProgress.module_id).where(ModuleProgress.user_id == user.id),
            select(QuizAttempt.module_id).where(QuizAttempt.user_id == user.id),
            select(PracticeAnswer.module_id).where(PracticeAnswer.user_id == user.id),
        )))
    ):
        modules[module_id] = {"course": course_slug, "course_title": course_title,
                              "module": module_slug, "module_title": module_title}

    enrolments = session.execute(
        select(Enrolment, Course.slug, Course.title).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == user.id).order_by(Enrolment.created_at, Enrolment.id)
    ).all()
    progress = session.scalars(select(ModuleProgress).where(ModuleProgress.user_id == user.id)
                               .order_by(ModuleProgress.first_opened_at, ModuleProgress.id)).all()
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .options(selectinload(QuizAttempt.answers))
                               .order_by(QuizAttempt.started_at, QuizAttempt.id)).all()
    questions = _questions_as_taken(session, list(attempts))
    practice = session.scalars(select(PracticeAnswer).where(PracticeAnswer.user_id == user.id)
                               .order_by(PracticeAnswer.created_at, PracticeAnswer.id)).all()
    live = session.scalars(select(LiveAnswer).where(LiveAnswer.user_id == user.id).order_by(LiveAnswer.id)).all()
    joined = session.execute(
        select(LiveParticipant.joined_at, Classroom.name)
        .join(LiveSession, LiveSession.id == LiveParticipant.session_id)
        .join(Classroom, Classroom.id == LiveSession.classroom_id)
        .where(LiveParticipant.user_id == user.id).order_by(LiveParticipant.joined_at, LiveParticipant.id)).all()
    certificates = session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at, Certificate.id)).all()
    memberships = session.execute(
        select(ClassroomMember, Classroom.name).join(Classroom, Classroom.id == ClassroomMember.classroom_id)
        .where(ClassroomMember.user_id == user.id).order_by(ClassroomMember.joined_at, ClassroomMember.classroom_id)
    ).all()
    sessions = session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)
                               .order_by(LoginSession.created_at, LoginSession.token)).all()
    # The audit log's entries by or about this person (joining a class, a new passphrase ...): theirs to see too.
    audit = audit_events_naming(session, user)
    class_names = dict(session.execute(select(Classroom.id, Classroom.name).where(
        Classroom.id.in_({event.classroom_id for event in audit if event.classroom_id}))).all()) if audit else {}
    return {
        "format": "article26-personal-data",
        "version": EXPORT_FORMAT_VERSION,
        "profile": {
            "username": user.username, "display_name": user.display_name, "email": user.email,
            "role": user.role, "audience": user.audience, "language": user.language, "time_zone": user.time_zone,
            "created_at": _time(user.created_at), "last_sign_in_at": _time(user.last_sign_in_at),
        },
        "enrolments": [{"course": slug, "course_title": title, "source": enrolment.source,
                        "enrolled_at": _time(enrolment.created_at), "completed_at": _time(enrolment.completed_at)}
                       for enrolment, slug, title in enrolments],
        "progress": [{**module_ref(row.module_id), "first_opened_at": _time(row.first_opened_at),
                      "last_seen_at": _time(row.last_seen_at), "completed_at": _time(row.completed_at),
                      "best_score": row.best_score, "last_score": row.last_score,
                      "quiz_passed_at": _time(row.quiz_passed_at),
                      "extra_attempts_allowed": row.extra_attempts} for row in progress],
        "quiz_attempts": [{**module_ref(attempt.module_id), "number": attempt.number, "status": attempt.status,
                           "started_at": _time(attempt.started_at), "submitted_at": _time(attempt.submitted_at),
                           "score": attempt.score, "passed": attempt.passed, "answers_in_progress":
                           attempt.draft_answers,
                           "answers": [_answer_export(answer, questions[attempt.id].get(answer.question_key))
                                       for answer in attempt.answers]} for attempt in attempts],
        "practice_answers": [{**module_ref(answer.module_id), "question": answer.question_key,
                              "response": answer.response, "correct": answer.correct,
                              "answered_at": _time(answer.created_at)} for answer in practice],
        "live_answers": [{"question": answer.question_key, "response": answer.response,
                          "answered_at": _time(answer.updated_at)} for answer in live],
        "live_sessions_joined": [{"class": name, "joined_at": _time(joined_at)} for joined_at, name in joined],
        "certificates": [{"course_title": certificate.course_title, "holder_name": certificate.holder_name,
                          "issued_at": _time(certificate.issued_at), "verification_code": certificate.code,
                          "verification_public": certificate.public, "standards": certificate.standards}
                         for certificate in certificates],
        "class_memberships": [{"class": name, "joined_at": _time(membership.joined_at)}
                              for membership, name in memberships],
        "signed_in_sessions": [{"started_at": _time(row.created_at), "expires_at": _time(row.expires_at)}
                               for row in sessions],
        "audit_log": [{"action": action_label(event.action), "by": event.actor_label,
                       "class": class_names.get(event.classroom_id),
                       "details": dict(readable_details(_own_part(event.details, user))),
                       "at": _time(event.created_at)} for event in audit],
    }


def _own_part(details: dict[str, Any] | None, user: User) -> dict[str, Any]:
    """An event's details as this person may see them: a batch of class accounts names only their own."""
    details = dict(details or {})
    if "usernames" in details:
        details.pop("count", None)
        details["usernames"] = [user.username]
    return details


def erase_account(session: Session, user: User, password: str) -> None:
    """Erase the account after checking the password. Answers stay, anonymised; everything personal goes."""
    if not verify_password(user.password_hash, password or ""):
        raise WrongPassword(_("The password is wrong."))
    erase_user(session, user)


def _forget_typed_answers(session: Session, user: User) -> None:
    attempts = select(QuizAttempt.id).where(QuizAttempt.user_id == user.id).scalar_subquery()
    session.execute(update(QuizAttempt).where(QuizAttempt.user_id == user.id).values(draft_answers={})
                    .execution_options(synchronize_session=False))
    for model, mine in ((AttemptAnswer, AttemptAnswer.attempt_id.in_(attempts)),
                        (PracticeAnswer, PracticeAnswer.user_id == user.id)):
        typed = [row_id for row_id, response in session.execute(select(model.id, model.response).where(mine))
                 if isinstance(response, str)]  # a choice is a list of option ids: it says nothing about anyone
        if typed:
            session.execute(update(model).where(model.id.in_(typed)).values(response=None)
                            .execution_options(synchronize_session=False))


def erase_class_account(session: Session, trainer: User, classroom: Classroom, member: User) -> None:
    """A trainer erases an account their class made (a child's, without e-mail): removing the child from the class
    alone would leave an account that can still sign in, under the child's name, that nobody but an administrator
    can reach. The caller checks the account is one this class made. Refused while the account is in another
    class too: that class's teachers count on it."""
    elsewhere = session.scalar(select(ClassroomMember.classroom_id).where(
        ClassroomMember.user_id == member.id, ClassroomMember.classroom_id != classroom.id).limit(1))
    if elsewhere is not None:
        raise InvalidInput(_("%(name)s is also in another class: remove them from this class instead.",
                             name=member.username))
    erase_user(session, member)
    record_audit(session, trainer, "class_account_erased", classroom=classroom)


def erase_user(session: Session, user: User) -> None:
    """Everything personal goes; answers stay, anonymised, so that class statistics stay true. Words the person
    typed go too (a child may have typed their name): only whether the answer was right is kept."""
    _forget_typed_answers(session, user)
    anonymous_member = secrets.token_hex(16)
    class_ids = session.scalars(select(ClassroomMember.classroom_id).where(ClassroomMember.user_id == user.id)).all()
    session.add_all(ErasedMembership(classroom_id=class_id, anonymous_member=anonymous_member)
                    for class_id in class_ids)
    session.execute(update(QuizAttempt).where(QuizAttempt.user_id == user.id)
                    .values(user_id=None, anonymous_member=anonymous_member)
                    .execution_options(synchronize_session=False))
    session.execute(update(PracticeAnswer).where(PracticeAnswer.user_id == user.id).values(user_id=None)
                    .execution_options(synchronize_session=False))
    for model in (ModuleProgress, Enrolment, Certificate, LiveAnswer, LiveParticipant, ClassroomMember,
                  ClassroomTrainer, LoginSession):
        session.execute(delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False))
    forget_in_audit_log(session, user)
    # A trainer's course revisions stay (they are the course's history), without the name.
    session.execute(update(ContentRevision).where(ContentRevision.author_id == user.id)
                    .values(author_label=ERASED_LABEL).execution_options(synchronize_session=False))
    user.username = f"erased-{secrets.token_hex(12)}"
    user.display_name = ""
    user.email = None
    user.password_hash = "!erased"  # matches no password: the account can never sign in again
    user.audience = Audience.OTHER
    user.language = "en"
    user.time_zone = None
    user.last_sign_in_at = None
    user.active = False
    user.erased = True
    session.flush()


def leave_course(session: Session, user: User, course: Course) -> None:
    """Take a course the learner only looked at out of their record, as if they had never opened it: the
    enrolment, the reading progress and any unsubmitted attempt go. Refused once they have quiz results in it (the
    quiz's attempt limit counts them: leaving must not reset it) or its certificate, and while one of their classes
    assigns the course (it is the class's work)."""
    in_course = select(Module.id).where(Module.course_id == course.id).scalar_subquery()
    mine = (QuizAttempt.user_id == user.id, QuizAttempt.module_id.in_(in_course))
    if session.scalar(select(Certificate.id).where(Certificate.user_id == user.id,
                                                   Certificate.course_id == course.id)) is not None:
        raise InvalidInput(_("You completed this course: it stays in your record with its certificate, which you "
                             "can hide from verification on the certificate's page."))
    if session.scalar(select(QuizAttempt.id).where(*mine, QuizAttempt.status != AttemptStatus.OPEN).limit(1)):
        raise InvalidInput(_("You have quiz results in this course: it stays in your record, with them."))
    assigned_by = session.scalar(
        select(Classroom.name).join(Assignment, Assignment.classroom_id == Classroom.id)
        .join(ClassroomMember, ClassroomMember.classroom_id == Classroom.id)
        .where(Assignment.course_id == course.id, ClassroomMember.user_id == user.id).limit(1))
    if assigned_by is not None:
        raise InvalidInput(_("Your class %(name)s has this course as its work: it stays in My learning.",
                             name=assigned_by))
    # Open ones only, even though none other was found: a submission from another tab may land in between.
    session.execute(delete(QuizAttempt).where(*mine, QuizAttempt.status == AttemptStatus.OPEN)
                    .execution_options(synchronize_session=False))
    session.execute(delete(ModuleProgress).where(ModuleProgress.user_id == user.id,
                                                 ModuleProgress.module_id.in_(in_course))
                    .execution_options(synchronize_session=False))
    session.execute(delete(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
                    .execution_options(synchronize_session=False))
