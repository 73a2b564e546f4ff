"""Imports every domain's models so that metadata (create_all, Alembic) sees all tables."""

from app.auth.models import LoginSession, User  # noqa: F401
from app.catalog.models import ContentRevision, Course, CourseAsset, Module, StandardEntry  # noqa: F401
from app.classrooms.models import (  # noqa: F401
    Assignment,
    AuditEvent,
    Classroom,
    ClassroomMember,
    ClassroomTrainer,
    ErasedMembership,
    LiveAnswer,
    LiveParticipant,
    LiveSession,
)
from app.learning.models import Certificate, Enrolment, ModuleProgress  # noqa: F401
from app.one_shot import UsedFormToken  # noqa: F401
from app.quizzes.models import AttemptAnswer, PracticeAnswer, QuizAttempt  # noqa: F401
