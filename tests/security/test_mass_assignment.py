"""Mass assignment: every POST route in app.url_map, posted by someone allowed to use it with a valid form plus
fields it must ignore (role, score, passed, classroom_id, user_id, is_owner, status, active ...). Afterwards no
account changed role or state, no attempt holds a score its answers do not earn, and no membership, trainer link,
assignment or certificate moved to another class or person."""

from io import BytesIO

from sqlalchemy import select

from app.auth.models import User
from app.catalog.models import Course
from app.classrooms.models import (
    Assignment,
    Classroom,
    ClassroomMember,
    ClassroomTrainer,
    LiveAnswer,
)
from app.extensions import db
from app.learning.models import Certificate
from app.quizzes.models import QuizAttempt
from tests.catalog.test_sync import PNG
from tests.course_builder import module_text
from tests.factories import DEFAULT_PASSWORD
from tests.security.conftest import OPEN, signed_in
from tests.security.test_idor import build, lookup, own_and_foreign

# Who may use each blueprint's POST routes (the person whose own ids fill the URL).
ACTOR = {"auth": "learner", "learning": "learner", "quizzes": "learner", "classroom_learner": "learner",
         "classes": "trainer", "authoring": "trainer", "admin": "admin"}
# Run last: they end the session, the class member or the account the earlier posts rely on.
LAST = ("authoring.archive_module", "authoring.restore_module", "classes.remove_member", "classes.erase_member_account", "classes.remove_assignment", "classes.remove_trainer",
        "classroom_learner.leave_class", "auth.sign_out", "learning.delete_account", "admin.deactivate_user")
WRONG_ANSWERS = {"q-m1-single": "a", "q-m1-multiple": "c", "q-m1-truefalse": "a", "q-m1-short": "25",
                 "q-m1-case-first": "b"}


def forms(world) -> dict:
    """A valid form for each POST route that needs one (the rest need nothing beyond the URL)."""
    source = module_text(1, title="Edited")
    return {
        "auth.sign_in": {"username": "lena", "password": DEFAULT_PASSWORD},
        "auth.sign_up": {"username": "newcomer", "display_name": "Newcomer", "password": "a quiet river stone",
                         "audience": "student", "language": "en"},
        "auth.profile": {"display_name": "Lena", "audience": "judge", "language": "en"},
        "auth.choose_language": {"language": "en", "next": "/courses"},
        "auth.change_password": {"current_password": DEFAULT_PASSWORD, "new_password": DEFAULT_PASSWORD,
                                 "confirm_password": DEFAULT_PASSWORD},
        "admin.change_role": {"role": "learner"},  # lena's own role: the sweep checks no role changed
        "admin.create_user": {"username": "made-by-admin", "display_name": "Made by admin", "role": "trainer",
                              "audience": "other",
                              "password": "a quiet river stone"},
        "authoring.new_course": {"slug": "new-course", "title": "New", "summary": "S", "audiences": "police",
                                 "language": "en", "estimated_minutes": "30"},
        "authoring.new_module": {"slug": "extra", "source": source, "save": "1"},
        "authoring.edit_module": {"source": source, "version": "1", "save": "1"},
        "authoring.restore": {"version": "2"},
        "authoring.preview": {"source": source, "module": "module-1"},
        "authoring.upload_image": {"image": (BytesIO(PNG), "x.png")},
        "classes.create": {"name": "Made in the sweep", "audience": "student"},
        "classes.add_trainer": {"username": "tanvi"},
        "classes.create_accounts": {"username_prefix": "sweep", "count": "2"},
        "classes.assign": {"target": f"module:{world.module.id}"},
        "classes.start_live": {"module_id": str(world.module.id)},
        "classes.control_live": {"version": "1"},
        "classes.hide_live_answer": {"question": "m1-short", "text": "x", "do": "hide"},
        "classes.allow_another_attempt": {"allowed_before": "0"},
        "admin.allow_attempt": {"allowed_before": "0"},
        "classroom_learner.join": {"code": "WRONG"},
        "classroom_learner.enter_live_code": {"live-code": world.live["ours"][1]},
        "classroom_learner.live_answer": {"question": "m1-single", "choice": "b"},
        "quizzes.save_answers": WRONG_ANSWERS,
        "quizzes.submit_attempt": WRONG_ANSWERS,
        "learning.certificate_visibility": {"public": "1"},
        "learning.delete_account": {"password": DEFAULT_PASSWORD, "understood": "y"},
    }


def extra_fields(world) -> dict:
    return {"role": "admin", "score": "100", "passed": "1", "classroom_id": str(world.theirs),
            "user_id": str(world.people.other_learner.id), "is_owner": "1", "status": "submitted", "active": "0",
            "created_by_id": str(world.people.other_trainer.id), "account_created_by_trainer": "1",
            "course_id": "999", "public": "1", "erased": "1", "archived": "1", "number": "7"}


def post_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    return sorted(rules, key=lambda rule: (rule.endpoint in LAST, LAST.index(rule.endpoint)
                                           if rule.endpoint in LAST else 0, rule.endpoint))


def test_no_posted_field_outside_a_form_changes_roles_scores_classes_or_owners(app, world):
    people = world.people
    with app.app_context():
        before_roles = dict(db.session.execute(select(User.id, User.role)).all())
        before_certificates = dict(db.session.execute(select(Certificate.id, Certificate.user_id)).all())
        before_assignments = dict(db.session.execute(select(Assignment.id, Assignment.classroom_id)).all())
    statuses, erased_by_class = {}, None
    for rule in post_rules(app):
        actor = ACTOR[rule.endpoint.split(".")[0]]
        own, _foreign = own_and_foreign(world, actor)
        values = {argument: lookup(own, rule.endpoint, argument) for argument in rule.arguments}
        if rule.endpoint in ("quizzes.save_answers", "quizzes.submit_attempt"):
            values["token"] = world.open[actor]
        if rule.endpoint in ("classes.reset_password", "classes.remove_member"):
            values["user_id"] = world.made  # only accounts the trainer made can be reset; lena leaves by herself
        if rule.endpoint == "classes.erase_member_account":  # one of the accounts the sweep had the class make
            with app.app_context():
                values["user_id"] = db.session.scalar(select(User.id).where(User.username == "sweep-02"))
            erased_by_class = values["user_id"]
        client = signed_in(app, None if rule.endpoint in ("auth.sign_in", "auth.sign_up") else getattr(people, actor))
        data = {**extra_fields(world), **forms(world).get(rule.endpoint, {})}
        response = client.post(build(rule, values), data=data, content_type="multipart/form-data")
        statuses[rule.endpoint] = response.status_code
    assert all(status < 400 for status in statuses.values()), {k: v for k, v in statuses.items() if v >= 400}

    with app.app_context():
        session = db.session
        roles = dict(session.execute(select(User.id, User.role)).all())
        assert {user_id: role for user_id, role in roles.items() if user_id in before_roles} == before_roles
        new_roles = {session.get(User, user_id).username: role for user_id, role in roles.items()
                     if user_id not in before_roles and user_id != erased_by_class}
        assert new_roles == {"newcomer": "learner", "made-by-admin": "trainer", "sweep-01": "learner"}
        assert session.get(User, people.learner.id).erased  # the account deleted itself, last
        assert session.get(User, erased_by_class).erased and roles[erased_by_class] == "learner"
        active = dict(session.execute(select(User.id, User.active)).all())
        assert sorted(user_id for user_id, is_active in active.items() if not is_active) == sorted(
            [people.learner.id, erased_by_class])
        for attempt in session.scalars(select(QuizAttempt).where(QuizAttempt.status == "submitted")):
            earned = 100 * sum(answer.points for answer in attempt.answers) / len(attempt.answers)
            assert attempt.score == earned and attempt.passed == (earned >= 70), attempt.token
        omar_attempts = session.scalars(select(QuizAttempt).where(
            QuizAttempt.user_id == people.other_learner.id).order_by(QuizAttempt.number)).all()
        assert [attempt.status for attempt in omar_attempts] == ["submitted", "open"]
        memberships = set(session.execute(select(ClassroomMember.classroom_id, ClassroomMember.user_id)))
        assert (world.ours, people.other_learner.id) not in memberships
        assert (world.theirs, people.other_learner.id) in memberships
        assert not any(classroom_id == world.theirs and user_id != people.other_learner.id
                       for classroom_id, user_id in memberships)
        owners = set(session.execute(select(ClassroomTrainer.classroom_id, ClassroomTrainer.user_id)
                                     .where(ClassroomTrainer.is_owner)))
        created = dict(session.execute(select(Classroom.id, Classroom.created_by_id)).all())
        assert owners == set(created.items())
        assert not session.scalar(select(ClassroomTrainer).where(ClassroomTrainer.classroom_id == world.theirs,
                                                                 ClassroomTrainer.user_id == people.trainer.id))
        made = session.scalars(select(ClassroomMember).where(ClassroomMember.account_created_by_trainer)).all()
        # ours-01, reset then removed by the sweep, is gone from the class
        assert {session.get(User, m.user_id).username for m in made} == {"sweep-01"}  # sweep-02 was erased
        assert dict(session.execute(select(Certificate.id, Certificate.user_id)).all()).items() <= (
            before_certificates.items())
        assignments = dict(session.execute(select(Assignment.id, Assignment.classroom_id)).all())
        assert {key: value for key, value in assignments.items() if key in before_assignments} == {
            key: value for key, value in before_assignments.items() if key in assignments}
        assert set(assignments.values()) <= {world.ours, world.theirs}
        assert set(session.scalars(select(LiveAnswer.user_id))) <= {people.learner.id}
        assert session.scalar(select(Course.status).where(Course.slug == OPEN)) == "published"


WRONG_TYPES = [{}, {"version": "abc", "count": "many", "module_id": "abc", "estimated_minutes": "1e999",
                    "due_at": "yesterday", "target": "module:abc", "public": ["1", "0"], "choice": ["b"] * 50,
                    "question": "x" * 5000, "source": "x", "save": "1", "audiences": "nobody", "code": "\u202e",
                    "username": "a b", "starts_on": "2026-02-30", "image": "not a file"}]


def test_no_post_route_answers_a_missing_or_wrong_typed_field_with_a_500(app, world):
    errors = []
    for data in WRONG_TYPES:
        for rule in post_rules(app):
            if rule.endpoint in ("learning.delete_account", "admin.deactivate_user"):
                continue
            actor = ACTOR[rule.endpoint.split(".")[0]]
            own, _foreign = own_and_foreign(world, actor)
            values = {argument: lookup(own, rule.endpoint, argument) for argument in rule.arguments}
            client = signed_in(app, None if rule.endpoint in ("auth.sign_in", "auth.sign_up")
                               else getattr(world.people, actor))
            status = client.post(build(rule, values), data=data).status_code
            errors.extend([f"POST {build(rule, values)} {sorted(data)[:3]} -> {status}"] if status >= 500 else [])
    assert not errors
