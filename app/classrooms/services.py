"""Classes: creating them, joining, roster, accounts made by a trainer, assignments, the audit log.

Functions take explicit users and objects, flush and never commit: the view owns the transaction. Every trainer
action that changes who is in a class, what they must do or how they sign in is written to the audit log in the
same transaction, so the log never claims something that was rolled back (and it never holds a password).
"""

import re
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import Audience, Role, User
from app.auth.services import create_user, end_all_login_sessions, find_user_by_username, set_password
from app.catalog.models import Course, Module
from app.classrooms.codes import (
    JOIN_CODE_LENGTH,
    new_passphrase,
    normalise_code,
    plausible_code,
    random_code,
)
from app.classrooms.models import Assignment, AuditEvent, Classroom, ClassroomMember, ClassroomTrainer
from app.errors import Conflict, InvalidInput, NotFound
from app.learning.models import ModuleProgress
from app.learning.services import enrol
from app.quizzes import queries as quiz_queries
from app.quizzes.services import attempts_left

MAX_ACCOUNTS_AT_ONCE = 60
USERNAME_PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._]{1,40}$")


def record_audit(session: Session, actor: User, action: str, *, classroom: Classroom | None = None,
                 target: User | None = None, **details) -> AuditEvent:
    event = AuditEvent(actor_id=actor.id, actor_label=actor.username, action=action,
                       classroom_id=classroom.id if classroom else None,
                       target_user_id=target.id if target else None, details=details)
    session.add(event)
    session.flush()
    return event


ERASED_LABEL = "(erased account)"


def audit_events_naming(session: Session, user: User) -> list[AuditEvent]:
    """The audit log's events by or about this person, oldest first: as actor, as target, or in a batch of class
    accounts (`accounts_created` lists every username it made)."""
    candidates = session.scalars(select(AuditEvent).where(or_(
        AuditEvent.actor_id == user.id, AuditEvent.target_user_id == user.id,
        and_(AuditEvent.action == "accounts_created", AuditEvent.created_at >= user.created_at)))
        .order_by(AuditEvent.created_at, AuditEvent.id)).all()
    return [event for event in candidates if event.actor_id == user.id or event.target_user_id == user.id
            or user.username in ((event.details or {}).get("usernames") or [])]


def forget_in_audit_log(session: Session, user: User) -> None:
    """An erased account's username leaves the audit log: events keep what was done, no longer to or by whom.
    Called before the username is replaced."""
    for event in audit_events_naming(session, user):
        if event.actor_id == user.id:
            event.actor_label = ERASED_LABEL
        details = dict(event.details or {})
        if details.get("username") == user.username:
            details["username"] = ERASED_LABEL
        if user.username in (details.get("usernames") or []):
            details["usernames"] = [ERASED_LABEL if name == user.username else name for name in details["usernames"]]
        event.details = details  # a new dict: a JSON column notices assignment, not changes inside


def _unused_join_code(session: Session) -> str:
    while True:
        code = random_code(JOIN_CODE_LENGTH)
        if session.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


def create_classroom(session: Session, owner: User, *, name: str, audience: str,
                     starts_on: date | None = None, ends_on: date | None = None) -> Classroom:
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the class a name."))
    if audience not in set(Audience):
        raise InvalidInput(_("Unknown audience."))
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput(_("The class cannot end before it starts."))
    classroom = Classroom(name=name, audience=audience, starts_on=starts_on, ends_on=ends_on,
                          join_code=_unused_join_code(session), created_by_id=owner.id)
    classroom.trainers.append(ClassroomTrainer(user_id=owner.id, is_owner=True))
    session.add(classroom)
    session.flush()
    record_audit(session, owner, "class_created", classroom=classroom, name=name)
    return classroom


def rotate_join_code(session: Session, actor: User, classroom: Classroom) -> str:
    classroom.join_code = _unused_join_code(session)
    session.flush()
    record_audit(session, actor, "join_code_rotated", classroom=classroom)
    return classroom.join_code


def _enrol_in_assigned_courses(session: Session, users: list[User], classroom: Classroom) -> None:
    courses = session.scalars(
        select(Course).where(Course.id.in_(select(Assignment.course_id).where(Assignment.classroom_id == classroom.id)))
    ).all()
    for course in courses:
        for user in users:
            enrol(session, user, course, source="class")


def _add_member(session: Session, classroom: Classroom, user: User, *, created_by_trainer: bool = False) -> bool:
    """True when the user was not a member yet."""
    if session.get(ClassroomMember, (classroom.id, user.id)) is not None:
        return False
    session.add(ClassroomMember(classroom_id=classroom.id, user_id=user.id,
                                account_created_by_trainer=created_by_trainer))
    session.flush()
    return True


def join_classroom(session: Session, user: User, typed_code: str) -> tuple[Classroom, bool]:
    """Join the class with this join code: (the class, whether the user joined just now). Joining twice is harmless.
    Joining enrols in the class's assigned courses."""
    code = normalise_code(typed_code)
    classroom = None
    if plausible_code(code, JOIN_CODE_LENGTH):
        classroom = session.scalar(select(Classroom).where(Classroom.join_code == code, Classroom.archived.is_(False)))
    if classroom is None:
        raise NotFound(_("No class has this code. Check it with your teacher."))
    joined = _add_member(session, classroom, user)
    if joined:
        _enrol_in_assigned_courses(session, [user], classroom)
        record_audit(session, user, "learner_joined", classroom=classroom, target=user, username=user.username)
    return classroom, joined


def remove_member(session: Session, actor: User, classroom: Classroom, member: User) -> None:
    """The learner leaves the class; their own learning record (enrolments, progress) stays theirs."""
    removed = session.execute(delete(ClassroomMember).where(
        ClassroomMember.classroom_id == classroom.id, ClassroomMember.user_id == member.id)).rowcount
    if not removed:
        raise NotFound(_("This learner is not in the class."))
    record_audit(session, actor, "learner_removed", classroom=classroom, target=member, username=member.username)


def leave_class(session: Session, learner: User, classroom_id: int) -> Classroom:
    """The learner leaves on their own. Their learning record stays theirs; the class no longer sees it."""
    classroom = session.get(Classroom, classroom_id)
    left = session.execute(delete(ClassroomMember).where(
        ClassroomMember.classroom_id == classroom_id, ClassroomMember.user_id == learner.id)).rowcount
    if classroom is None or not left:
        raise NotFound()
    record_audit(session, learner, "learner_left", classroom=classroom, target=learner, username=learner.username)
    return classroom


def add_co_trainer(session: Session, actor: User, classroom: Classroom, username: str) -> User:
    trainer = find_user_by_username(session, username)
    if trainer is None or not trainer.is_active or trainer.role not in (Role.TRAINER, Role.ADMIN):
        raise InvalidInput(_("There is no trainer with this username."))
    if session.get(ClassroomTrainer, (classroom.id, trainer.id)) is not None:
        raise Conflict(_("%(name)s already teaches this class.", name=trainer.username))
    session.add(ClassroomTrainer(classroom_id=classroom.id, user_id=trainer.id, is_owner=False))
    session.flush()
    session.expire(classroom, ["trainers"])
    record_audit(session, actor, "co_trainer_added", classroom=classroom, target=trainer, username=trainer.username)
    return trainer


def remove_co_trainer(session: Session, actor: User, classroom: Classroom, trainer: User) -> None:
    link = session.get(ClassroomTrainer, (classroom.id, trainer.id))
    if link is None:
        raise NotFound(_("This trainer does not teach this class."))
    if link.is_owner:
        raise InvalidInput(_("The class's owner cannot be removed."))
    session.delete(link)
    session.flush()
    session.expire(classroom, ["trainers"])
    record_audit(session, actor, "co_trainer_removed", classroom=classroom, target=trainer,
                 username=trainer.username)


def _free_usernames(session: Session, prefix: str, count: int) -> list[str]:
    taken = set(session.scalars(select(User.username).where(User.username.like(f"{prefix}-%"))))
    names, number = [], 1
    while len(names) < count:
        candidate = f"{prefix}-{number:02d}"
        if candidate not in taken:
            names.append(candidate)
        number += 1
    return names


def create_learner_accounts(session: Session, actor: User, classroom: Classroom, *, username_prefix: str,
                            count: int = 0, display_names: list[str] | None = None) -> list[tuple[User, str]]:
    """Learner accounts without e-mail, in the class, each with a new passphrase. The passphrases are returned
    once, for the credential cards, and only their hashes are stored."""
    prefix = username_prefix.strip().casefold()
    if not USERNAME_PREFIX_PATTERN.match(prefix):
        raise InvalidInput(_("Start with a letter or digit; use 2 to 41 letters a–z, digits, dots or underscores."))
    names = [name.strip()[:120] for name in display_names or [] if name.strip()]
    count = len(names) or count
    if not 1 <= count <= MAX_ACCOUNTS_AT_ONCE:
        raise InvalidInput(_("Create between 1 and %(n)d accounts at once.", n=MAX_ACCOUNTS_AT_ONCE))
    created = []
    for index, username in enumerate(_free_usernames(session, prefix, count)):
        passphrase = new_passphrase()
        user = create_user(session, username=username, password=passphrase,
                           display_name=names[index] if names else None, audience=classroom.audience,
                           language=actor.language)  # the class is taught in its teacher's language
        _add_member(session, classroom, user, created_by_trainer=True)
        created.append((user, passphrase))
    _enrol_in_assigned_courses(session, [user for user, _passphrase in created], classroom)
    record_audit(session, actor, "accounts_created", classroom=classroom, count=len(created),
                 usernames=[user.username for user, _passphrase in created])
    return created


def reset_member_password(session: Session, actor: User, classroom: Classroom | None, member: User) -> str:
    """A new passphrase, returned once; signs the account out everywhere. `classroom` is the class whose trainer gave
    a member (whose account the trainers made) a new one; None when an admin did, for any account."""
    passphrase = new_passphrase()
    set_password(session, member, passphrase)
    end_all_login_sessions(session, member)
    record_audit(session, actor, "password_reset", classroom=classroom, target=member, username=member.username)
    return passphrase


def reset_class_made_passphrases(session: Session, actor: User, classroom: Classroom) -> list[tuple[User, str]]:
    """A new passphrase for every learner account this class created (lost cards, a new term), in the order of
    their usernames, as the cards were first printed. Each is signed out everywhere and audited as one reset."""
    members = session.scalars(
        select(User).join(ClassroomMember, ClassroomMember.user_id == User.id)
        .where(ClassroomMember.classroom_id == classroom.id, ClassroomMember.account_created_by_trainer.is_(True),
               User.role == Role.LEARNER).order_by(User.username)).all()
    if not members:
        raise InvalidInput(_("This class has created no accounts, so there is no passphrase to renew."))
    return [(member, reset_member_password(session, actor, classroom, member)) for member in members]


def class_members(session: Session, classroom: Classroom) -> list[User]:
    return list(session.scalars(select(User).join(ClassroomMember, ClassroomMember.user_id == User.id)
                                .where(ClassroomMember.classroom_id == classroom.id)))


def _describe(assignment: Assignment, course: Course, module: Module | None) -> dict:
    return {"course": course.title, "module": module.title if module else None,
            "due_at": assignment.due_at.isoformat(timespec="minutes") if assignment.due_at else None}


def assign_work(session: Session, actor: User, classroom: Classroom, course: Course, module: Module | None = None,
                due_at: datetime | None = None) -> Assignment:
    """Assign a course (or one of its modules) to the class; every member, now or later, is enrolled in it."""
    if module is not None and (module.course_id != course.id or module.archived):
        raise InvalidInput(_("This module is not part of the course."))
    duplicate = session.scalar(select(Assignment.id).where(
        Assignment.classroom_id == classroom.id, Assignment.course_id == course.id,
        Assignment.module_id == module.id if module else Assignment.module_id.is_(None)))
    if duplicate is not None:
        raise Conflict(_("This is already assigned to the class. Change its due date instead."))
    assignment = Assignment(classroom_id=classroom.id, course_id=course.id, module_id=module.id if module else None,
                            due_at=due_at, created_by_id=actor.id)
    session.add(assignment)
    session.flush()
    for member in class_members(session, classroom):
        enrol(session, member, course, source="class")
    record_audit(session, actor, "assignment_created", classroom=classroom, **_describe(assignment, course, module))
    return assignment


def change_assignment_due(session: Session, actor: User, classroom: Classroom, assignment: Assignment,
                          due_at: datetime | None) -> None:
    before = assignment.due_at
    assignment.due_at = due_at
    session.flush()
    record_audit(session, actor, "assignment_changed", classroom=classroom,
                 **_describe(assignment, session.get(Course, assignment.course_id),
                             session.get(Module, assignment.module_id) if assignment.module_id else None),
                 due_before=before.isoformat(timespec="minutes") if before else None)


def remove_assignment(session: Session, actor: User, classroom: Classroom, assignment: Assignment) -> None:
    """The assignment goes; enrolments stay (a learner's record is never taken away)."""
    details = _describe(assignment, session.get(Course, assignment.course_id),
                        session.get(Module, assignment.module_id) if assignment.module_id else None)
    session.delete(assignment)
    session.flush()
    record_audit(session, actor, "assignment_removed", classroom=classroom, **details)


def allow_another_attempt(session: Session, actor: User, classroom: Classroom | None, learner: User, module: Module,
                          allowed_before: int) -> None:
    """One more attempt at a quiz, for a learner who used every attempt without passing: by a trainer (the caller
    checked the learner is in their class and the quiz was assigned to it), or by an administrator (no class).

    `allowed_before` is how many extra attempts the actor saw allowed: a second click, or a co-trainer's at the
    same moment, allows nothing more.
    """
    progress = session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id,
                                                           ModuleProgress.module_id == module.id))
    if progress is not None and progress.quiz_passed_at is not None:
        raise Conflict(_("%(name)s has passed this quiz: there is no need for another attempt.",
                         name=learner.display_name))
    already_allowed = Conflict(_("Another attempt was allowed already, by you or someone else: nothing more was "
                                 "changed."))
    if progress is not None and progress.extra_attempts != allowed_before:
        raise already_allowed
    used = quiz_queries.attempts_used(session, learner, module)
    if progress is None or attempts_left(module.quiz, used, progress.extra_attempts) != 0:
        raise Conflict(_("%(name)s still has attempts left at this quiz.", name=learner.display_name))
    allowed = session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.id == progress.id, ModuleProgress.extra_attempts == allowed_before)
        .values(extra_attempts=ModuleProgress.extra_attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if allowed != 1:  # a co-trainer's click committed between our read and this update
        raise already_allowed
    record_audit(session, actor, "attempt_allowed", classroom=classroom, target=learner,
                 course=module.course.title, module=module.title)
