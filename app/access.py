"""Who may do what: every permission predicate, and the blueprint gates built from them."""

from collections.abc import Callable

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, false, select, true

from app.auth.models import Role, User
from app.catalog.models import Course, CourseStatus
from app.classrooms.models import Classroom, ClassroomMember, ClassroomTrainer
from app.quizzes.models import QuizAttempt


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def is_trainer(user: User) -> bool:
    """Trainers and admins: admins can do everything a trainer can."""
    return user.is_authenticated and user.role in (Role.TRAINER, Role.ADMIN)


def can_manage_user(actor: User, target: User) -> bool:
    return is_admin(actor) and actor.id != target.id


def gate(predicate: Callable[[User], bool]) -> Callable[[], object]:
    """A before_request hook: anonymous users are sent to sign in, signed-in users without the role get 403."""

    def check_access():
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
            abort(401)
        if not predicate(current_user):
            abort(403)
        return None

    check_access.gated_by = predicate  # lets the route sweep test find every gated blueprint
    return check_access


def signed_in(user: User) -> bool:
    return user.is_authenticated


# --- Course content -------------------------------------------------------------------------------------------


def can_read_drafts(user: User) -> bool:
    return is_trainer(user)


def can_read_course(user: User, course) -> bool:
    """Published courses are open to everyone; drafts only to trainers and admins (the authors)."""
    return course.is_published or can_read_drafts(user)


def can_see_facilitator_notes(user: User) -> bool:
    return is_trainer(user)


def can_author_courses(user: User) -> bool:
    return is_trainer(user)


# --- Learning: course lists and a learner's own records -------------------------------------------------------


# The list form of can_read_course, for each answer of can_read_drafts: WHERE clauses on Course, built once so that
# statements using them can be built once too.
READABLE_COURSES = {True: true(), False: Course.status == CourseStatus.PUBLISHED}


def readable_courses_filter(user: User):
    return READABLE_COURSES[can_read_drafts(user)]


def owns_record(user: User, record) -> bool:
    """Progress, enrolments and certificates are visible to their owner only (trainers see class reports)."""
    return user.is_authenticated and record.user_id == user.id


# --- Quizzes: taking a module's quiz and seeing one's own attempts ---------------------------------------------


def can_take_quiz(user: User, module) -> bool:
    """Signed in, the course readable, the module not archived (its past results go with it)."""
    return user.is_authenticated and not module.archived and can_read_course(user, module.course)


def can_see_attempt(user: User, attempt) -> bool:
    """Only the learner who took it; anyone else is told it does not exist."""
    return owns_record(user, attempt)


# The list form of can_see_attempt: a WHERE clause on QuizAttempt, built once. Statements that use it bind the
# viewer's id as "viewer_id".
ATTEMPTS_OF_VIEWER = QuizAttempt.user_id == bindparam("viewer_id")


# --- Classrooms: trainers manage the classes they own or co-teach; admins manage every class --------------------


def can_manage_classroom(user: User, classroom: Classroom) -> bool:
    """Roster, accounts, assignments, reports and live sessions of this class."""
    if is_admin(user):
        return True
    return is_trainer(user) and any(link.user_id == user.id for link in classroom.trainers)


def classrooms_visible_to(user: User):
    """The list form of can_manage_classroom: a WHERE clause on Classroom."""
    if is_admin(user):
        return true()
    if not is_trainer(user):
        return false()
    return Classroom.id.in_(select(ClassroomTrainer.classroom_id).where(ClassroomTrainer.user_id == user.id))


def can_reset_member_password(user: User, classroom: Classroom, membership: ClassroomMember, member: User) -> bool:
    """Only for accounts the class's trainers created (no e-mail), and only while they are learners' accounts: a
    self-made account stays its owner's alone, and one an admin has since made a trainer's is no longer the
    class's to reset or erase. (Named for the reset; erasing a class-made account follows the same rule.)"""
    return (can_manage_classroom(user, classroom) and membership.classroom_id == classroom.id
            and membership.account_created_by_trainer and member.role == Role.LEARNER)
