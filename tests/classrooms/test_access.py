"""Who may open which classroom URL, with our ids, another class's ids and ids that do not exist.

Cast: our class (trainer tomas, learner lena) and their class (trainer tanvi, learner omar), both assigned the
course and each running a live session. Trainers of another class get 404 (a class they cannot manage does not
exist for them, so sequential ids reveal nothing); learners get 403 from the trainer gate; anonymous visitors are
sent to sign in.
"""

import pytest
from sqlalchemy import func, select

from app.access import can_manage_classroom, classrooms_visible_to
from app.classrooms import live as live_sessions
from app.classrooms.models import Assignment, AuditEvent, Classroom, ClassroomMember, LiveSession
from app.extensions import db
from tests.conftest import sign_in

GATED = {"classes", "classroom_learner", "audit"}


@pytest.fixture
def world(app, make, people, cast):
    with app.app_context():
        from app.auth.models import User
        from app.catalog.models import Module

        sessions = {}
        for classroom, owner in ((cast.ours, people.trainer), (cast.theirs, people.other_trainer)):
            live = live_sessions.start_live_session(db.session, db.session.get(User, owner.id),
                                                    db.session.get(Classroom, classroom.id),
                                                    db.session.get(Module, cast.modules[1].id))
            sessions[classroom.id] = (live.id, live.code)
        assignments = dict(db.session.execute(select(Assignment.classroom_id, Assignment.id)).all())
        db.session.commit()
    return {"ours": cast.ours.id, "theirs": cast.theirs.id, "lena": people.learner.id,
            "omar": people.other_learner.id, "tanvi": people.other_trainer.id,
            "our_session": sessions[cast.ours.id][0], "their_session": sessions[cast.theirs.id][0],
            "our_code": sessions[cast.ours.id][1], "their_code": sessions[cast.theirs.id][1],
            "our_assignment": assignments[cast.ours.id], "their_assignment": assignments[cast.theirs.id],
            "module": cast.modules[1].id}


# (endpoint, method, URL with {placeholders} filled from `world`) — our own objects.
OWN = [
    ("classes.index", "GET", "/classes"),
    ("classes.create", "GET", "/classes/new"),
    ("classes.show", "GET", "/classes/{ours}"),
    ("classes.report", "GET", "/classes/{ours}/report"),
    ("classes.report_csv", "GET", "/classes/{ours}/report.csv"),
    ("classes.learner", "GET", "/classes/{ours}/learners/{lena}"),
    ("classes.items", "GET", "/classes/{ours}/items/{module}"),
    ("classes.standards", "GET", "/classes/{ours}/standards"),
    ("classes.create_accounts", "GET", "/classes/{ours}/accounts"),
    ("classes.presenter", "GET", "/classes/{ours}/live/{our_session}"),
    ("classes.live_results", "GET", "/classes/{ours}/live/{our_session}/results"),
    ("classes.live_answers_csv", "GET", "/classes/{ours}/live/{our_session}/answers.csv"),
    ("classes.live_screen", "GET", "/classes/{ours}/live/{our_session}/screen"),
    ("classes.live_screen_stage", "GET", "/classes/{ours}/live/{our_session}/screen/stage"),
]
# State-changing routes on our class: everyone but its trainers and admins is refused (and nothing changes).
OWN_POSTS = [
    ("classes.create", "POST", "/classes/new"),
    ("classes.rotate_join_code", "POST", "/classes/{ours}/join-code"),
    ("classes.remove_member", "POST", "/classes/{ours}/members/{lena}/remove"),
    ("classes.reset_password", "POST", "/classes/{ours}/members/{lena}/password"),
    ("classes.reset_class_made_passphrases", "POST", "/classes/{ours}/passphrases"),
    ("classes.erase_member_account", "POST", "/classes/{ours}/members/{lena}/erase"),
    ("classes.add_trainer", "POST", "/classes/{ours}/trainers"),
    ("classes.remove_trainer", "POST", "/classes/{ours}/trainers/{lena}/remove"),
    ("classes.create_accounts", "POST", "/classes/{ours}/accounts"),
    ("classes.assign", "POST", "/classes/{ours}/assignments"),
    ("classes.change_due", "POST", "/classes/{ours}/assignments/{our_assignment}/due"),
    ("classes.remove_assignment", "POST", "/classes/{ours}/assignments/{our_assignment}/remove"),
    ("classes.start_live", "POST", "/classes/{ours}/live"),
    ("classes.control_live", "POST", "/classes/{ours}/live/{our_session}/next"),
    ("classes.hide_live_answer", "POST", "/classes/{ours}/live/{our_session}/hidden-answers"),
    ("classes.allow_another_attempt", "POST", "/classes/{ours}/learners/{lena}/modules/{module}/another-attempt"),
]
# Our class in the URL, another class's object after it: 404 even for our own trainer.
FOREIGN = [
    ("GET", "/classes/{ours}/learners/{omar}"),
    ("POST", "/classes/{ours}/members/{omar}/remove"),
    ("POST", "/classes/{ours}/members/{omar}/password"),
    ("POST", "/classes/{ours}/members/{omar}/erase"),
    ("POST", "/classes/{ours}/trainers/{tanvi}/remove"),
    ("POST", "/classes/{ours}/assignments/{their_assignment}/due"),
    ("POST", "/classes/{ours}/assignments/{their_assignment}/remove"),
    ("GET", "/classes/{ours}/live/{their_session}"),
    ("GET", "/classes/{ours}/live/{their_session}/results"),
    ("GET", "/classes/{ours}/live/{their_session}/answers.csv"),
    ("GET", "/classes/{ours}/live/{their_session}/screen"),
    ("GET", "/classes/{ours}/live/{their_session}/screen/stage"),
    ("POST", "/classes/{ours}/live/{their_session}/next"),
    ("POST", "/classes/{ours}/live/{their_session}/hidden-answers"),
    ("POST", "/classes/{ours}/learners/{omar}/modules/{module}/another-attempt"),
    ("POST", "/classes/{ours}/learners/{lena}/modules/999999/another-attempt"),
    ("GET", "/classes/{ours}/items/999999"),
    ("GET", "/classes/{ours}/learners/999999"),
    ("GET", "/classes/{ours}/live/999999"),
]
# Their class by its (sequential) id, and ids that do not exist.
THEIRS = [(method, url.replace("{ours}", "{theirs}").replace("{our_", "{their_").replace("{lena}", "{omar}"))
          for _endpoint, method, url in OWN + OWN_POSTS if "{ours}" in url]
MISSING = [(method, url.replace("{ours}", "999999")) for _endpoint, method, url in OWN + OWN_POSTS if "{ours}" in url]
LEARNER_SIDE = [
    ("classroom_learner.join", "GET", "/join"),
    ("classroom_learner.join", "POST", "/join"),
    ("classroom_learner.enter_live_code", "POST", "/live"),
    ("classroom_learner.live", "GET", "/live/{our_code}"),
    ("classroom_learner.live_stage", "GET", "/live/{our_code}/stage"),
    ("classroom_learner.live_answer", "POST", "/live/{our_code}/answer"),
    ("classroom_learner.leave_class", "POST", "/join/{ours}/leave"),
    ("audit.audit_log", "GET", "/admin/audit"),
]


def test_the_matrix_names_every_classroom_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in GATED}
    named = {endpoint for endpoint, _method, _url in OWN + OWN_POSTS + LEARNER_SIDE}
    assert routes == named


def _client(app, user):
    client = app.test_client()
    if user is not None:
        sign_in(client, user)
    return client


def _denied(response, who):
    if who == "anonymous":
        return response.status_code in (302, 401) and (response.status_code == 401 or
                                                      response.headers["Location"].startswith("/signin"))
    return response.status_code == {"learner": 403, "other_learner": 403, "other_trainer": 404}[who]


@pytest.mark.parametrize("who", ["anonymous", "learner", "other_learner", "other_trainer"])
def test_people_outside_the_class_are_refused_everywhere_and_change_nothing(app, people, world, who):
    client = _client(app, getattr(people, who))
    with app.app_context():
        before = (db.session.scalar(select(func.count()).select_from(ClassroomMember)),
                  db.session.scalar(select(func.count()).select_from(Assignment)),
                  db.session.scalar(select(func.max(LiveSession.version))),
                  db.session.scalar(select(Classroom.join_code).where(Classroom.id == world["ours"])))
    for _endpoint, method, url in OWN + OWN_POSTS:
        if url in ("/classes", "/classes/new"):
            continue  # no object: any trainer may list or create their own
        response = client.open(url.format(**world), method=method, data={"version": "1", "module_id": world["module"],
                                                                         "target": f"course:{world['module']}"})
        assert _denied(response, who), (who, method, url, response.status_code)
    with app.app_context():
        after = (db.session.scalar(select(func.count()).select_from(ClassroomMember)),
                 db.session.scalar(select(func.count()).select_from(Assignment)),
                 db.session.scalar(select(func.max(LiveSession.version))),
                 db.session.scalar(select(Classroom.join_code).where(Classroom.id == world["ours"])))
    assert before == after


@pytest.mark.parametrize("who", ["trainer", "admin"])
def test_the_class_trainer_and_admins_open_every_page_of_the_class(app, people, world, who):
    client = _client(app, getattr(people, who))
    for _endpoint, _method, url in OWN:
        assert client.get(url.format(**world)).status_code == 200, url


def test_a_trainer_gets_404_for_another_class_and_for_its_objects_in_their_own_urls(app, people, world):
    client = _client(app, people.trainer)
    for method, url in FOREIGN + THEIRS + MISSING:
        response = client.open(url.format(**world), method=method, data={"version": "1"})
        assert response.status_code == 404, (method, url, response.status_code)
        # The page a person sees: the usual sentence, never an internal word such as "member" or "class".
        assert "There is nothing at this address." in response.text, (method, url)


def test_an_admin_manages_any_class(app, people, world):
    client = _client(app, people.admin)
    for method, url in THEIRS:
        if method == "GET":
            assert client.get(url.format(**world)).status_code == 200, url


@pytest.mark.parametrize("who, status", [("learner", 200), ("other_learner", 404), ("trainer", 404),
                                         ("other_trainer", 404)])
def test_only_members_of_the_class_follow_its_live_session(app, people, world, who, status):
    client = _client(app, getattr(people, who))
    assert client.get(f"/live/{world['our_code']}").status_code == status
    assert client.get(f"/live/{world['our_code']}/stage").status_code == status


def test_a_learner_cannot_use_another_sessions_code(app, people, world):
    client = _client(app, people.learner)
    for url in ("/live/{their_code}", "/live/{their_code}/stage"):
        assert client.get(url.format(**world)).status_code == 404
    assert client.post(f"/live/{world['their_code']}/answer", data={"question": "m2-single"}).status_code == 404
    assert client.get("/live/ZZZZZZ").status_code == 404 and client.get("/live/not-a-code").status_code == 404


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("learner", 403), ("trainer", 403), ("admin", 200)])
def test_only_admins_read_the_audit_log(app, people, world, who, status):
    assert _client(app, getattr(people, who)).get("/admin/audit").status_code == status


@pytest.mark.parametrize("who", ["anonymous", "learner"])
def test_learner_pages_need_a_signed_in_user(app, people, world, who):
    client = _client(app, getattr(people, who))
    expected = 302 if who == "anonymous" else 200
    assert client.get("/join").status_code == expected


def test_the_predicate_and_the_list_filter_agree_for_everyone(app, make, people, world):
    make.classroom(people.other_trainer, name="Shared", co_trainers=[people.trainer])
    with app.app_context():
        from sqlalchemy.orm import selectinload

        from app.auth.models import User

        classrooms = db.session.scalars(select(Classroom).options(selectinload(Classroom.trainers))).all()
        for person in ("learner", "trainer", "other_trainer", "admin"):
            user = db.session.get(User, getattr(people, person).id)
            listed = set(db.session.scalars(select(Classroom.id).where(classrooms_visible_to(user))))
            assert listed == {c.id for c in classrooms if can_manage_classroom(user, c)}, person
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > 0

