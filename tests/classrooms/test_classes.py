import re

import pytest
from sqlalchemy import select

from app.classrooms.codes import CODE_ALPHABET, normalise_code
from app.classrooms.models import AuditEvent, Classroom, ClassroomMember, ClassroomTrainer
from app.extensions import db
from app.learning.models import Enrolment
from tests.conftest import sign_in, without_csrf_tokens


def _classroom(app, classroom_id):
    with app.app_context():
        classroom = db.session.get(Classroom, classroom_id)
        db.session.expunge_all()
        return classroom


def _member_ids(app, classroom_id):
    with app.app_context():
        return set(db.session.scalars(select(ClassroomMember.user_id)
                                      .where(ClassroomMember.classroom_id == classroom_id)))


def test_a_trainer_creates_a_class_and_gets_a_join_code_without_ambiguous_characters(client, app, people):
    sign_in(client, people.trainer)
    response = client.post("/classes/new", data={"name": "Year 9 civics", "audience": "student",
                                                 "starts_on": "2026-09-01", "ends_on": "2027-06-30"})
    assert response.status_code == 302
    classroom_id = int(response.headers["Location"].rsplit("/", 1)[1])
    classroom = _classroom(app, classroom_id)
    assert classroom.name == "Year 9 civics" and str(classroom.ends_on) == "2027-06-30"
    assert len(classroom.join_code) == 8 and set(classroom.join_code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)
    page = client.get(f"/classes/{classroom_id}").text
    assert f"{classroom.join_code[:4]}-{classroom.join_code[4:]}" in page


def test_a_class_that_ends_before_it_starts_is_refused(client, people):
    sign_in(client, people.trainer)
    response = client.post("/classes/new", data={"name": "Backwards", "audience": "student",
                                                 "starts_on": "2026-09-01", "ends_on": "2026-08-01"})
    assert response.status_code == 200
    assert '<p class="error" id="ends_on-error">The class cannot end before it starts.</p>' in response.text


def test_the_trainer_sees_their_own_and_shared_classes_only_and_admins_see_all(client, app, make, people):
    make.classroom(people.trainer, name="Mine")
    make.classroom(people.other_trainer, name="Shared with me", co_trainers=[people.trainer])
    make.classroom(people.other_trainer, name="Not mine")
    sign_in(client, people.trainer)
    page = client.get("/classes").text
    assert "Mine" in page and "Shared with me" in page and "Not mine" not in page
    admin = app.test_client()
    sign_in(admin, people.admin)
    assert all(name in admin.get("/classes").text for name in ("Mine", "Shared with me", "Not mine"))


def test_a_learner_joins_with_the_code_typed_loosely_and_joining_twice_is_harmless(client, app, make, people):
    classroom = make.classroom(people.trainer)
    typed = f" {classroom.join_code[:4].lower()} - {classroom.join_code[4:].lower()} "
    assert normalise_code(typed) == classroom.join_code
    sign_in(client, people.learner)
    assert client.post("/join", data={"code": typed}).status_code == 302
    assert "You joined Class 5B." in client.get("/join").text
    assert client.post("/join", data={"code": classroom.join_code}).status_code == 302
    assert "You are already in Class 5B." in client.get("/join").text
    assert _member_ids(app, classroom.id) == {people.learner.id}
    assert "Class 5B" in client.get("/join").text
    with app.app_context():  # the class's log shows who joined, once
        joined = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "learner_joined")).all()
        assert [(event.actor_id, event.classroom_id) for event in joined] == [(people.learner.id, classroom.id)]


def test_a_wrong_code_says_so_without_joining_anything(client, app, make, people):
    make.classroom(people.trainer)
    sign_in(client, people.learner)
    response = client.post("/join", data={"code": "ABCD-EFGH"})
    assert response.status_code == 200 and "No class has this code" in response.text


def test_rotating_the_join_code_makes_the_old_one_stop_working(client, app, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/join-code").status_code == 302
    new_code = _classroom(app, classroom.id).join_code
    assert new_code != classroom.join_code
    learner = app.test_client()
    sign_in(learner, people.learner)
    assert "No class has this code" in learner.post("/join", data={"code": classroom.join_code}).text
    assert learner.post("/join", data={"code": new_code}).status_code == 302


def test_joining_enrols_the_learner_in_the_class_assignments(client, app, make, people, course):
    classroom = make.classroom(people.trainer)
    make.assignment(classroom, course)
    sign_in(client, people.learner)
    client.post("/join", data={"code": classroom.join_code})
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == people.learner.id))
        assert enrolment.course_id == course.id and enrolment.source == "class"


def test_the_trainer_removes_a_learner(client, app, make, people):
    classroom = make.classroom(people.trainer, members=[people.learner, people.other_learner])
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/members/{people.learner.id}/remove").status_code == 302
    assert _member_ids(app, classroom.id) == {people.other_learner.id}


def test_a_co_trainer_is_added_by_username_and_then_manages_the_class(client, app, make, people):
    classroom = make.classroom(people.trainer)
    other = app.test_client()
    sign_in(other, people.other_trainer)
    assert other.get(f"/classes/{classroom.id}").status_code == 404
    sign_in(client, people.trainer)
    assert client.post(f"/classes/{classroom.id}/trainers", data={"username": "TANVI"}).status_code == 302
    assert other.get(f"/classes/{classroom.id}").status_code == 200
    assert client.post(f"/classes/{classroom.id}/trainers/{people.other_trainer.id}/remove").status_code == 302
    assert other.get(f"/classes/{classroom.id}").status_code == 404


def test_only_trainers_can_become_co_trainers_and_the_owner_cannot_be_removed(client, app, make, people):
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    page = client.post(f"/classes/{classroom.id}/trainers", data={"username": people.learner.username},
                       follow_redirects=True).text
    assert "There is no trainer with this username." in page
    page = client.post(f"/classes/{classroom.id}/trainers/{people.trainer.id}/remove", follow_redirects=True).text
    assert "owner cannot be removed" in page
    with app.app_context():
        assert db.session.scalars(select(ClassroomTrainer.user_id)
                                  .where(ClassroomTrainer.classroom_id == classroom.id)).all() == [people.trainer.id]


def test_learners_never_see_who_else_is_in_their_class(client, make, people):
    make.classroom(people.trainer, members=[people.learner, people.other_learner])
    sign_in(client, people.learner)
    page = without_csrf_tokens(client.get("/join").text)
    assert "Class 5B" in page and people.other_learner.username not in page
    assert client.get("/classes").status_code == 403


def test_the_class_page_lists_members_with_their_usernames(client, make, people):
    classroom = make.classroom(people.trainer, members=[people.learner, people.other_learner])
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    assert re.search(r"lena", page) and re.search(r"omar", page)


class TestJoinAttemptsAreLimited:
    @pytest.fixture
    def app_overrides(self):
        # In memory, as the other limit tests: with REDIS_URL set in the environment the counters (keyed by user id,
        # which restarts at 1 in every test) would outlive the test and refuse the next run's first guesses.
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_guessing_join_codes_is_rate_limited_per_account_and_anonymous_posts_are_refused(self, app, people):
        guesser, classmate, anonymous = app.test_client(), app.test_client(), app.test_client()
        sign_in(guesser, people.learner)
        sign_in(classmate, people.other_learner)
        statuses = [guesser.post("/join", data={"code": f"AAAA-AAA{n}"}).status_code for n in range(2, 10)]
        statuses += [guesser.post("/join", data={"code": "BBBB-BBBB"}).status_code for _ in range(13)]
        assert statuses[:20] == [200] * 20 and statuses[20] == 429
        assert classmate.post("/join", data={"code": "BBBB-BBBB"}).status_code == 200
        assert anonymous.post("/join", data={"code": "BBBB-BBBB"}).status_code == 401


def test_the_class_page_offers_its_own_and_its_audiences_courses_first(client, make, people):
    make.course("a-police", title="A police course", modules=1, audiences=("police",))
    assigned = make.course("b-judges", title="B judges course", modules=1, audiences=("judge",))
    make.course("c-students", title="C students course", modules=1, audiences=("student",))
    classroom = make.classroom(people.trainer, audience="student")
    make.assignment(classroom, assigned)
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    assign_box = page.split('name="target"', 1)[1].split("</select>", 1)[0]
    order = [title for title in ("A police", "B judges", "C students") if title in assign_box]
    assert sorted(order, key=assign_box.index) == ["B judges", "C students", "A police"]
    live_box = page.split('name="module_id"', 1)[1].split("</select>", 1)[0]
    assert live_box.index("B judges") < live_box.index("C students") < live_box.index("A police")


def test_actions_that_cannot_be_undone_ask_first(client, make, people):
    noah = make.user(username="cm2b-06", display_name="Noah")
    classroom = make.classroom(people.trainer, members=[people.learner], created_accounts=[noah])
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    # The question names the learner as the teacher knows them, and says what removing costs.
    assert (f'data-confirm="Remove {people.learner.display_name} (lena) from the class? You will no longer see '
            'their progress here."') in page
    assert ('data-confirm="Remove Noah (cm2b-06) from the class? You will no longer see their progress here. Nor '
            'can you give them a new passphrase: they can rejoin with the class code."') in page
    assert 'data-confirm="Make a new join code? The current code stops working at once."' in page
    assert '<script src="/static/js/site.js" defer></script>' in page


def test_a_learner_leaves_a_class_and_its_teachers_no_longer_see_them(client, app, make, people):
    classroom = make.classroom(people.trainer, members=[people.learner])
    sign_in(client, people.learner)
    page = client.get("/join").text
    assert "The class's teachers will see your display name and username" in page
    assert f'action="/join/{classroom.id}/leave"' in page
    left = client.post(f"/join/{classroom.id}/leave", follow_redirects=True)
    assert "You left Class 5B." in left.text and "You are not in a class yet." in left.text
    assert client.post(f"/join/{classroom.id}/leave").status_code == 404  # not a member any more
    trainer = app.test_client()
    sign_in(trainer, people.trainer)
    assert trainer.get(f"/classes/{classroom.id}/learners/{people.learner.id}").status_code == 404
    admin = app.test_client()
    sign_in(admin, people.admin)
    assert "Learner left the class" in admin.get("/admin/audit").text


def test_a_draft_course_is_marked_as_such_in_the_assign_and_live_lists(client, make, people):
    make.course("draft-course", title="Draft course", modules=1, status="draft")
    make.course("open-course", title="Open course", modules=1)
    classroom = make.classroom(people.trainer)
    sign_in(client, people.trainer)
    page = client.get(f"/classes/{classroom.id}").text
    assign_box = page.split('name="target"', 1)[1].split("</select>", 1)[0]
    live_box = page.split('name="module_id"', 1)[1].split("</select>", 1)[0]
    assert "Draft course (draft) (whole course)" in assign_box and "Open course (whole course)" in assign_box
    assert "Draft course (draft) — Module 1" in live_box and "Open course — Module 1" in live_box


def test_the_class_page_says_which_learners_can_get_a_new_passphrase_here(app, people, cast):
    teacher = app.test_client()
    sign_in(teacher, people.trainer)
    page = teacher.get(f"/classes/{cast.ours.id}").text
    assert "You can give a new passphrase only to the accounts this class created." in page
    assert "New passphrase for" not in page  # lena signed up by herself
