"""A teacher's lesson in real browsers: a class, two students joining, a live session answered, revealed and ended,
and the result in the progress grid. axe-core checks every trainer page on the way (and the student's page)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

# Pages that follow the session poll every 2 s (app/static/js/live.js): a change shows within one poll and one
# request, but three browsers and the server share a loaded 2-core machine, so allow many polls, not four.
FOLLOWS = 20_000


@pytest.fixture
def course(make):
    return make.course("lesson-course", title="Lesson course", modules=2, quiz_modules=(2,), audiences=("student",))


def assert_accessible(page, axe_violations):
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def test_a_teacher_runs_a_live_lesson_from_class_to_report(page, new_page, browser_login, axe_violations, make,
                                                           people, course):
    browser_login(page, people.trainer)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Classes", exact=True).click()
    assert_accessible(page, axe_violations)
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Class name").fill("Class 5B")
    page.get_by_label("Audience").select_option("student")
    assert_accessible(page, axe_violations)
    page.get_by_role("button", name="Create class").click()
    expect(page.get_by_role("heading", level=1, name="Class 5B")).to_be_visible()
    join_code = page.locator("p.join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", join_code)
    page.get_by_label("Course or module").select_option(label="Lesson course — Module 2")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned. Every learner in the class is enrolled.")).to_be_visible()

    students = []
    for name in ("amira", "ben", "chloe"):  # Chloé never answers
        student = new_page()
        browser_login(student, make.user(username=name, display_name=name.title().replace("Chloe", "Chloé")))
        student.get_by_role("link", name="My classes").click()
        student.get_by_label("Class code").fill(join_code.lower())
        student.get_by_role("button", name="Join the class").click()
        expect(student.get_by_text("You joined Class 5B.")).to_be_visible()
        students.append(student)

    page.reload()
    assert_accessible(page, axe_violations)
    page.get_by_label("Module", exact=True).select_option(label="Lesson course — Module 2")
    page.get_by_role("button", name="Start live session").click()
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    # The notes start closed (the screen may be projected), and stay open from step to step once opened.
    notes = page.get_by_text("SECRET FACILITATOR NOTE")
    expect(notes).to_be_hidden()
    page.get_by_text("Facilitator notes (hidden from the room until you open them)").click()
    expect(notes).to_be_visible()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    expect(page.get_by_text("SECRET FACILITATOR NOTE")).to_be_visible()
    assert_accessible(page, axe_violations)

    for student in students:
        student.get_by_role("link", name="My classes").click()
        student.get_by_role("link", name="Join the live session: Module 2").click()
        expect(student.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    assert_accessible(students[0], axe_violations)

    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1, name="Question 1 of 5")).to_be_visible()
    page.get_by_role("button", name="Open question").click()
    assert_accessible(page, axe_violations)

    # The students' pages follow by polling: no reload.
    for student, option in zip(students[:2], ("Article 15", "Article 3"), strict=True):
        student.get_by_label(option).check(timeout=FOLLOWS)
        student.get_by_role("button", name="Send my answer").click()
        expect(student.get_by_text("Answer saved.")).to_be_visible()
        if student is students[0]:  # ... and so do the presenter's bars, and who is still to answer
            results = page.locator("#live-results")
            expect(results.locator(".answer-count")).to_contain_text("1 answer from", timeout=FOLLOWS)
            results.get_by_text("2 learners have not answered yet").click()
            expect(results.locator("details.not-answered")).to_contain_text("Ben, Chloé")
            assert results.locator("details.not-answered bdi").all_inner_texts() == ["Ben", "Chloé"]
            assert_accessible(page, axe_violations)
            # The bars wait behind a panel while the question is open (the room would copy the majority).
            expect(results.locator(".bar-label").first).to_be_hidden()
            results.get_by_text("Show the answers so far").click()
            label, bar = results.locator(".bar-label").first.bounding_box(), results.locator("progress").first.bounding_box()
            assert label["y"] + label["height"] <= bar["y"] + 1  # the option's text sits above its bar
    expect(page.locator("#live-results").get_by_text("2 answers")).to_be_visible(timeout=FOLLOWS)
    # The list the teacher opened stays open as answers come in.
    expect(page.locator("details.not-answered[open]")).to_have_text("1 learner has not answered yet Chloé")

    page.get_by_role("button", name="Reveal answer").click()
    for student in students:
        expect(student.get_by_text("CAT Article 15 is the exclusionary rule.")).to_be_visible(timeout=FOLLOWS)
        expect(student.get_by_text("Answer saved.")).to_have_count(0)  # it was about the open question
    # Ending cannot be undone: the browser asks first, and dismissing the question keeps the session going.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="End session")).to_be_visible()
    assert questions == ["End the session for everyone? It cannot be restarted."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_text("Session ended.")).to_be_visible()
    # The teacher lands on the session's summary, not back on the class page.
    expect(page.get_by_role("heading", name="How the class answered")).to_be_visible()
    assert_accessible(page, axe_violations)
    for student in students:
        expect(student.get_by_role("heading", name="The session has ended")).to_be_visible(timeout=FOLLOWS)

    page.get_by_role("link", name="Class 5B", exact=True).click()
    page.get_by_role("link", name="Progress", exact=True).click()
    assert_accessible(page, axe_violations)
    grid = page.locator("table.progress-grid")
    expect(grid.get_by_role("row", name=re.compile("Amira")).get_by_text("live 1/1")).to_be_visible()
    expect(grid.get_by_role("row", name=re.compile("Ben")).get_by_text("live 0/1")).to_be_visible()
    page.get_by_role("navigation", name="Class", exact=True).get_by_role("link", name="Standards").click()
    expect(page.get_by_role("heading", level=1, name="Mastery of the standards")).to_be_visible()
    expect(page.locator("table.heatmap").get_by_role("row", name=re.compile("CAT-15 — "))).to_contain_text("–")
    assert_accessible(page, axe_violations)


@pytest.fixture
def running_lesson(app, make, people, course):
    """Class 5B (tomas, with lena and a co-teacher, tanvi) in a live session of the quiz module, on its first step."""
    from app.auth.models import User
    from app.catalog.models import Module
    from app.classrooms import live as live_sessions
    from app.classrooms.models import Classroom
    from app.extensions import db

    classroom = make.classroom(people.trainer, members=[people.learner], co_trainers=[people.other_trainer])
    make.assignment(classroom, course)
    with app.app_context():
        live = live_sessions.start_live_session(db.session, db.session.get(User, people.trainer.id),
                                                db.session.get(Classroom, classroom.id),
                                                db.session.get(Module, course.modules[1].id))
        db.session.commit()
        return f"/classes/{classroom.id}/live/{live.id}", live.code


def test_a_presenters_screen_follows_when_a_co_teacher_moves_the_session_on(page, new_page, browser_login, people,
                                                                             running_lesson):
    presenter_path, _code = running_lesson
    browser_login(page, people.trainer)
    page.goto(presenter_path)
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    co_teacher = browser_login(new_page(), people.other_trainer)
    co_teacher.goto(presenter_path)
    co_teacher.get_by_role("button", name="Next").click()
    expect(co_teacher.get_by_role("heading", level=1, name="Introduction")).to_have_count(0)
    heading = co_teacher.get_by_role("heading", level=1).inner_text()
    # The projected screen shows the new step (its heading and its buttons), not the old one with new answers.
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible(timeout=FOLLOWS)
    expect(page.get_by_role("button", name="Back")).to_be_visible()


def test_a_student_signed_out_mid_session_is_told_so_not_shown_a_sign_in_page_inside_the_lesson(
        page, browser_login, people, running_lesson):
    _presenter_path, code = running_lesson
    browser_login(page, people.learner)
    page.goto(f"/live/{code}")
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    page.context.clear_cookies()  # the session expired, or a shared tablet was signed out elsewhere
    notice = page.locator("#live-stage .flash-warning")  # announced by the stage's own live region
    expect(notice).to_contain_text("You were signed out, so this page stopped updating.", timeout=FOLLOWS)
    expect(page.locator("header.site-header")).to_have_count(1)  # no second page pasted into this one
    notice.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill(people.learner.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/live/{code}$"))  # back on the lesson, not on its polled fragment
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()


def control(app, code: str, *actions: str) -> None:
    """The presenter's buttons, pressed in process."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.catalog.models import Module
    from app.classrooms import live as live_sessions
    from app.classrooms.models import Classroom, LiveSession
    from app.extensions import db

    with app.app_context():
        for action in actions:
            live = db.session.scalar(select(LiveSession).where(LiveSession.code == code))
            live_sessions.control_live_session(
                db.session, db.session.get(User, live.started_by_id), db.session.get(Classroom, live.classroom_id),
                live, db.session.get(Module, live.module_id), action, live.version)
            db.session.commit()


def test_a_typed_answer_survives_the_page_following_and_is_sent_once_the_wifi_is_back(
        app, page, browser_login, people, running_lesson):
    from sqlalchemy import select

    from app.classrooms.models import LiveAnswer
    from app.extensions import db

    _presenter_path, code = running_lesson
    browser_login(page, people.learner)
    page.goto(f"/live/{code}")
    control(app, code, "next", "next", "next", "next", "next", "open")  # the typed question (step 6), open
    answer = page.get_by_label("Your answer")
    answer.fill("26", timeout=FOLLOWS)  # typed, not sent ...
    page.locator("#live-stage h1").evaluate("heading => { heading.dataset.before = 'yes'; }")
    control(app, code, "close", "open")  # ... while the teacher closes and reopens the question
    expect(page.locator("#live-stage h1[data-before]")).to_have_count(0, timeout=FOLLOWS)  # the stage was replaced
    expect(answer).to_have_value("26")
    expect(answer).to_be_focused()

    page.context.set_offline(True)  # the classroom's Wi-Fi drops as the child sends
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("No connection: your answer is not sent yet.")).to_be_visible()
    expect(page.get_by_text("Connection lost: trying again…")).to_be_visible(timeout=FOLLOWS)
    assert page.url.endswith(f"/live/{code}")  # still the lesson, not the browser's offline page
    page.context.set_offline(False)
    expect(page.get_by_text("Answer saved.")).to_be_visible(timeout=FOLLOWS)
    expect(page.get_by_text("Connection lost: trying again…")).to_have_count(0, timeout=FOLLOWS)
    with app.app_context():
        assert db.session.scalars(select(LiveAnswer.response)).all() == ["26"]


def test_a_student_removed_from_the_class_mid_session_is_told_so(app, page, browser_login, people, running_lesson):
    from sqlalchemy import delete

    from app.classrooms.models import ClassroomMember
    from app.extensions import db

    _presenter_path, code = running_lesson
    browser_login(page, people.learner)
    page.goto(f"/live/{code}")
    expect(page.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    with app.app_context():
        db.session.execute(delete(ClassroomMember).where(ClassroomMember.user_id == people.learner.id))
        db.session.commit()
    notice = page.locator("#live-stage .flash-warning")
    expect(notice).to_contain_text("This session is no longer open to you", timeout=FOLLOWS)
    notice.get_by_role("link", name="Back to your classes").click()
    expect(page).to_have_url(re.compile(r"/join$"))


def test_on_a_1280_by_720_projector_the_question_its_answer_and_the_bars_fit_above_the_controls(
        app, page, browser_login, people, running_lesson):
    from sqlalchemy import select

    from app.auth.models import User
    from app.catalog.models import Module
    from app.classrooms import live as live_sessions
    from app.classrooms.models import LiveSession
    from app.extensions import db

    presenter_path, code = running_lesson
    control(app, code, "next", "next", "open")  # the first question, open
    with app.app_context():
        live = db.session.scalar(select(LiveSession).where(LiveSession.code == code))
        live_sessions.record_live_answer(db.session, db.session.get(User, people.learner.id), live,
                                         db.session.get(Module, live.module_id), "m2-single", ["b"], "")
        db.session.commit()
    control(app, code, "reveal")
    browser_login(page, people.trainer)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(presenter_path)
    expect(page.get_by_text("CAT Article 15 is the exclusionary rule.")).to_be_visible()
    controls_top = page.locator("nav.presenter-controls").bounding_box()["y"]
    for shown in (page.locator(".explanation"), *page.locator("#live-results progress").all()):
        box = shown.bounding_box()
        assert box["y"] + box["height"] <= controls_top, "hidden behind the controls or below the screen"
    assert page.evaluate("document.documentElement.scrollHeight") <= 720  # nothing to scroll to

    # Any step in one click, from the list of all steps.
    page.get_by_text("All steps").click()
    page.get_by_role("button", name="Question 4 of 5").click()
    expect(page.get_by_role("heading", level=1, name="Question 4 of 5")).to_be_visible()
    expect(page.locator("#all-steps [aria-current=step]")).to_have_text("Question 4 of 5")


def test_the_class_screen_follows_the_lesson_on_a_projector_and_shows_the_answers_once_closed(
        app, page, browser_login, axe_violations, people, running_lesson):
    from sqlalchemy import select

    from app.auth.models import User
    from app.catalog.models import Module
    from app.classrooms import live as live_sessions
    from app.classrooms.models import LiveSession
    from app.extensions import db

    presenter_path, code = running_lesson
    browser_login(page, people.trainer)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(presenter_path)
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Class screen for the projector (opens in a new tab)").click()
    screen = opened.value
    screen.set_viewport_size({"width": 1280, "height": 720})
    expect(screen.get_by_role("heading", level=1, name="Introduction")).to_be_visible()
    expect(screen.locator(".join-code")).to_have_text(code)
    expect(screen.get_by_role("button", name="Full screen")).to_be_visible()  # Chromium can: the script shows it
    assert_accessible(screen, axe_violations)

    control(app, code, "next", "next", "open")  # the first question, open, and one learner answers
    expect(screen.get_by_text("Answer now, on your device.")).to_be_visible(timeout=FOLLOWS)
    with app.app_context():
        live = db.session.scalar(select(LiveSession).where(LiveSession.code == code))
        live_sessions.record_live_answer(db.session, db.session.get(User, people.learner.id), live,
                                         db.session.get(Module, live.module_id), "m2-single", ["b"], "")
        db.session.commit()
    expect(screen.get_by_text("Answer now, on your device. · 1 answer")).to_be_visible(timeout=FOLLOWS)
    expect(screen.locator("progress")).to_have_count(0)
    control(app, code, "reveal")
    expect(screen.locator(".bar-correct")).to_be_visible(timeout=FOLLOWS)
    expect(screen.locator(".explanation")).to_be_visible()
    assert_accessible(screen, axe_violations)
    assert screen.evaluate("document.documentElement.scrollHeight") <= 720  # the question, its bars, its answer
