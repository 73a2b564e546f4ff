"""Factory helpers. Each pushes its own app context, commits, and returns detached, fully loaded objects."""

import tempfile
from itertools import count
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import services as auth_services
from app.catalog.cli import sync_library
from app.catalog.models import Course
from app.extensions import db
from tests.course_builder import write_course

DEFAULT_PASSWORD = "correct horse battery"


class Factory:
    def __init__(self, app):
        self.app = app
        self._numbers = count(1)

    def _detached(self, obj):
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def user(self, role: str = "learner", username: str | None = None, password: str = DEFAULT_PASSWORD, **fields):
        username = username or f"user{next(self._numbers)}"
        with self.app.app_context():
            user = auth_services.create_user(db.session, username=username, password=password, role=role, **fields)
            return self._detached(user)

    def course(self, slug: str = "test-course", *, root: Path | None = None, **options) -> Course:
        """Write a course folder (see tests/course_builder.py) and sync it; returns the Course with its modules."""
        root = root or Path(tempfile.mkdtemp(prefix="a26-courses-"))
        write_course(root, slug, **options)
        return self.synced_course(root, slug)

    def synced_course(self, root: Path, slug: str) -> Course:
        """Sync every course under root and return the one with this slug, detached with its modules loaded."""
        with self.app.app_context():
            assert sync_library(root, echo=lambda line: None), f"sync of {root} failed"
            course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.modules)))
            for module in course.modules:
                db.session.refresh(module)
            db.session.expunge_all()
            return course

    # --- Classrooms ---------------------------------------------------------------------------------------------

    def classroom(self, owner, *, name: str = "Class 5B", audience: str = "student", members=(), co_trainers=(),
                  created_accounts=()):
        """A class owned by `owner` (through the service, so it is audited like a real one), with members who joined
        by code, members whose accounts the trainer made, and co-trainers. Returns it detached."""
        from app.auth.models import User
        from app.classrooms import services as classroom_services
        from app.classrooms.models import Classroom, ClassroomMember, ClassroomTrainer

        with self.app.app_context():
            classroom = classroom_services.create_classroom(db.session, db.session.get(User, owner.id), name=name,
                                                            audience=audience)
            for user in members:
                db.session.add(ClassroomMember(classroom_id=classroom.id, user_id=user.id))
            for user in created_accounts:
                db.session.add(ClassroomMember(classroom_id=classroom.id, user_id=user.id,
                                               account_created_by_trainer=True))
            for user in co_trainers:
                db.session.add(ClassroomTrainer(classroom_id=classroom.id, user_id=user.id, is_owner=False))
            db.session.commit()
            classroom = db.session.scalar(select(Classroom).where(Classroom.id == classroom.id)
                                          .options(selectinload(Classroom.trainers), selectinload(Classroom.members)))
            db.session.expunge_all()
            return classroom

    def assignment(self, classroom, course, module=None, *, due_at=None, by=None):
        """Assign through the service: members are enrolled as in the app."""
        from app.auth.models import User
        from app.catalog.models import Module
        from app.classrooms import services as classroom_services
        from app.classrooms.models import Classroom

        with self.app.app_context():
            assignment = classroom_services.assign_work(
                db.session, db.session.get(User, (by.id if by else classroom.created_by_id)),
                db.session.get(Classroom, classroom.id), db.session.get(Course, course.id),
                db.session.get(Module, module.id) if module else None, due_at)
            return self._detached(assignment)

    def submitted_attempt(self, user, module, answers: dict):
        """A quiz attempt started and submitted through the quiz services (graded, progress recorded).
        `answers` maps question ids to option ids (or lists of them) or typed text."""
        from app.auth.models import User
        from app.catalog.models import Module
        from app.quizzes import services as quiz_services

        with self.app.app_context():
            learner, module_row = db.session.get(User, user.id), db.session.get(Module, module.id)
            attempt = quiz_services.start_attempt(db.session, learner, module_row)
            quiz_services.submit_attempt(db.session, learner, attempt, module_row, module_row.quiz, answers)
            return self._detached(attempt)
