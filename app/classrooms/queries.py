"""Reads for classes: lists, the class page, a learner's classes and assigned work, the audit log."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.access import can_manage_classroom, classrooms_visible_to
from app.auth.models import User
from app.catalog.models import Course, CourseStatus, Module
from app.classrooms.models import Assignment, AuditEvent, Classroom, ClassroomMember, ClassroomTrainer, LiveSession
from app.errors import NotFound
from app.extensions import utcnow


def visible_classrooms(session: Session, user: User) -> list[tuple[Classroom, int]]:
    """The classes this user manages, newest first, each with its number of learners."""
    members = (select(ClassroomMember.classroom_id, func.count().label("n"))
               .group_by(ClassroomMember.classroom_id).subquery())
    rows = session.execute(
        select(Classroom, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.classroom_id == Classroom.id)
        .where(classrooms_visible_to(user), Classroom.archived.is_(False))
        .order_by(Classroom.created_at.desc(), Classroom.id.desc())
    ).all()
    return [(classroom, count) for classroom, count in rows]


def managed_classroom(session: Session, user: User, classroom_id: int) -> Classroom:
    """The class, if this user may manage it; otherwise it does not exist for them (no probing by id)."""
    classroom = session.scalar(select(Classroom).where(Classroom.id == classroom_id)
                               .options(selectinload(Classroom.trainers)))
    if classroom is None or not can_manage_classroom(user, classroom):
        raise NotFound()
    return classroom


def member_of(session: Session, classroom: Classroom, user_id: int) -> tuple[ClassroomMember, User]:
    row = session.execute(
        select(ClassroomMember, User).join(User, User.id == ClassroomMember.user_id)
        .where(ClassroomMember.classroom_id == classroom.id, ClassroomMember.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def trainer_of(session: Session, classroom: Classroom, user_id: int) -> User:
    user = session.scalar(select(User).join(ClassroomTrainer, ClassroomTrainer.user_id == User.id)
                          .where(ClassroomTrainer.classroom_id == classroom.id, ClassroomTrainer.user_id == user_id))
    if user is None:
        raise NotFound()
    return user


def assignment_of(session: Session, classroom: Classroom, assignment_id: int) -> Assignment:
    assignment = session.scalar(select(Assignment).where(Assignment.id == assignment_id,
                                                         Assignment.classroom_id == classroom.id))
    if assignment is None:
        raise NotFound()
    return assignment


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    course: Course
    module: Module | None

    @property
    def title(self) -> str:
        return f"{self.course.title} — {self.module.title}" if self.module else self.course.title

    @property
    def overdue(self) -> bool:
        return self.assignment.due_at is not None and self.assignment.due_at < utcnow()

    @property
    def open_to_learners(self) -> bool:
        return self.course.is_published and not (self.module and self.module.archived)


def class_assignments(session: Session, classroom_id: int) -> list[AssignmentRow]:
    """Assignments in due order (undated last), with their course (and its modules) and module."""
    rows = session.execute(
        select(Assignment, Course, Module)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Module, Module.id == Assignment.module_id)
        .where(Assignment.classroom_id == classroom_id)
        .options(selectinload(Course.modules))
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    ).all()
    return [AssignmentRow(assignment, course, module) for assignment, course, module in rows]


@dataclass(frozen=True)
class ClassPage:
    members: list[tuple[ClassroomMember, User]]
    trainers: list[tuple[ClassroomTrainer, User]]
    assignments: list[AssignmentRow]
    live_sessions: list[tuple[LiveSession, Module]]
    courses: list[Course]


def class_page(session: Session, classroom: Classroom) -> ClassPage:
    members = session.execute(
        select(ClassroomMember, User).join(User, User.id == ClassroomMember.user_id)
        .where(ClassroomMember.classroom_id == classroom.id).order_by(User.display_name, User.username)
    ).all()
    trainers = session.execute(
        select(ClassroomTrainer, User).join(User, User.id == ClassroomTrainer.user_id)
        .where(ClassroomTrainer.classroom_id == classroom.id)
        .order_by(ClassroomTrainer.is_owner.desc(), User.username)
    ).all()
    live = session.execute(
        select(LiveSession, Module).join(Module, Module.id == LiveSession.module_id)
        .where(LiveSession.classroom_id == classroom.id)
        .order_by(LiveSession.ended_at.is_not(None), LiveSession.started_at.desc()).limit(10)
    ).all()
    courses = session.scalars(select(Course).options(selectinload(Course.modules)).order_by(Course.title)).all()
    return ClassPage(members=[tuple(row) for row in members], trainers=[tuple(row) for row in trainers],
                     assignments=class_assignments(session, classroom.id),
                     live_sessions=[tuple(row) for row in live], courses=list(courses))


@dataclass(frozen=True)
class LearnerClass:
    classroom: Classroom
    live_sessions: list[tuple[LiveSession, Module]]


def classes_of_learner(session: Session, user: User) -> list[LearnerClass]:
    """The learner's classes with the live sessions running in them. No other member is ever listed."""
    classrooms = session.scalars(
        select(Classroom).join(ClassroomMember, ClassroomMember.classroom_id == Classroom.id)
        .where(ClassroomMember.user_id == user.id, Classroom.archived.is_(False)).order_by(Classroom.name)
    ).all()
    running = session.execute(
        select(LiveSession, Module).join(Module, Module.id == LiveSession.module_id)
        .where(LiveSession.classroom_id.in_([classroom.id for classroom in classrooms]),
               LiveSession.ended_at.is_(None))
        .order_by(LiveSession.started_at)
    ).all() if classrooms else []
    return [LearnerClass(classroom, [(live, module) for live, module in running if live.classroom_id == classroom.id])
            for classroom in classrooms]


def live_sessions_now(session: Session, user: User) -> list[tuple[str, LiveSession, Module]]:
    """The live sessions running in the learner's classes, with the class's name: a child who signs in mid-lesson
    finds the way in from My learning."""
    return [(entry.classroom.name, live, module) for entry in classes_of_learner(session, user)
            for live, module in entry.live_sessions]


@dataclass(frozen=True)
class AssignedWork:
    classroom_name: str
    course: Course
    module: Module | None
    due_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < utcnow()


_ASSIGNED_WORK = (  # built once: My learning runs it for every learner
    select(Assignment, Classroom.name, Course, Module)
    .join(ClassroomMember, ClassroomMember.classroom_id == Assignment.classroom_id)
    .join(Classroom, Classroom.id == Assignment.classroom_id)
    .join(Course, Course.id == Assignment.course_id)
    .outerjoin(Module, Module.id == Assignment.module_id)
    # Work the learner cannot open (a course unpublished since, a module archived) is not listed: a dead link
    # helps nobody. The trainer's class page flags such assignments instead.
    .where(ClassroomMember.user_id == bindparam("learner_id"), Classroom.archived.is_(False),
           Course.status == CourseStatus.PUBLISHED, or_(Module.id.is_(None), Module.archived.is_(False)))
    .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
)


def assigned_work_for(session: Session, user: User) -> list[AssignedWork]:
    """Work assigned to the learner through their classes, overdue first, then by due date (undated last)."""
    rows = session.execute(_ASSIGNED_WORK, {"learner_id": user.id}).all()
    return [AssignedWork(name, course, module, assignment.due_at) for assignment, name, course, module in rows]


def audit_events(action: str = "") -> Select:
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def classroom_names(session: Session, classroom_ids: set[int | None]) -> dict[int, str]:
    ids = [classroom_id for classroom_id in classroom_ids if classroom_id]
    return dict(session.execute(select(Classroom.id, Classroom.name).where(Classroom.id.in_(ids))).all()) if ids else {}
