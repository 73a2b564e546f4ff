import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.classrooms.live import module_steps
from app.classrooms.models import AuditEvent, LiveParticipant, LiveSession
from app.extensions import db
from app.quizzes.models import PracticeAnswer, QuizAttempt
from tests.conftest import DEFAULT_PASSWORD, sign_in

CODE_IN_PAGE = re.compile(r'<strong class="join-code">([A-Z0-9]{6})</strong>')


def test_a_module_becomes_one_step_per_section_then_one_per_question(cast):
    steps = module_steps(cast.modules[1])
    assert [step.kind for step in steps] == ["section"] * 2 + ["question"] * 5
    assert [step.title for step in steps[:2]] == ["Introduction", "Practice"]
    assert all("<h2" not in step.html for step in steps[:2])  # the title is the step's heading, shown once
    assert "SECRET FACILITATOR NOTE" in steps[0].notes_html and "SECRET" not in steps[0].html
    assert steps[2].question["id"] == "m2-single" and steps[6].scenario["title"] == "The confession"


class Session:
    """The presenter's client and a session started on module 2 of our class."""

    def __init__(self, app, people, cast):
        self.app, self.classroom = app, cast.ours
        self.presenter = app.test_client()
        sign_in(self.presenter, people.trainer)
        response = self.presenter.post(f"/classes/{cast.ours.id}/live", data={"module_id": cast.modules[1].id})
        assert response.status_code == 302
        self.url = response.headers["Location"]
        self.code = CODE_IN_PAGE.search(self.presenter.get(self.url).text).group(1)

    def row(self) -> LiveSession:
        with self.app.app_context():
            live = db.session.scalar(select(LiveSession).where(LiveSession.code == self.code))
            db.session.expunge_all()
            return live

    def control(self, action: str, version: int | None = None):
        version = self.row().version if version is None else version
        return self.presenter.post(f"{self.url}/{action}", data={"version": str(version)})

    def go_to_step(self, number: int):
        while self.row().step < number:
            assert self.control("next").status_code == 302


@pytest.fixture
def live(app, people, cast):
    return Session(app, people, cast)


@pytest.fixture
def students(app, people, make, cast):
    """Two learners of our class on their tablets."""
    second = make.user(username="sami")
    with app.app_context():
        from app.classrooms.models import ClassroomMember

        db.session.add(ClassroomMember(classroom_id=cast.ours.id, user_id=second.id))
        db.session.commit()
    tablets = []
    for user in (people.learner, second):
        tablet = app.test_client()
        sign_in(tablet, user)
        tablets.append(tablet)
    return tablets


def test_the_session_code_is_six_unambiguous_characters_and_the_start_is_audited(app, live):
    assert len(live.code) == 6 and not set(live.code) & set("0O1IL")
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "live_session_started"


def test_a_second_session_cannot_start_while_one_is_running(app, live, cast):
    start = {"module_id": cast.modules[2].id}
    refused = live.presenter.post(f"/classes/{cast.ours.id}/live", data=start, follow_redirects=True)
    assert "A live session is already running in this class" in refused.text
    assert "One session at a time" in refused.text and 'id="start-live"' not in refused.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 1
    live.control("end")
    assert live.presenter.post(f"/classes/{cast.ours.id}/live", data=start).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 2


def test_students_follow_the_presenter_and_a_poll_is_304_until_something_changes(live, students):
    tablet = students[0]
    page = tablet.get(f"/live/{live.code.lower()}")
    assert page.status_code == 200 and "Introduction" in page.text
    assert f'href="/live/{live.code}"' in page.text  # the refresh link for browsers without JavaScript
    assert "SECRET FACILITATOR NOTE" not in page.text
    first = tablet.get(f"/live/{live.code}/stage")
    etag = first.headers["ETag"]
    assert tablet.get(f"/live/{live.code}/stage", headers={"If-None-Match": etag}).status_code == 304
    live.control("next")
    moved = tablet.get(f"/live/{live.code}/stage", headers={"If-None-Match": etag})
    assert moved.status_code == 200 and "Practice" in moved.text and moved.headers["ETag"] != etag


def test_the_presenter_sees_notes_and_the_controls(live):
    page = live.presenter.get(live.url).text
    assert "SECRET FACILITATOR NOTE" in page and 'class="presenter"' in page
    assert ">Next<" in page and ">End session<" in page and ">Back<" not in page


def test_answers_can_change_until_the_question_closes_and_no_answer_leaks_before_reveal(live, students):
    live.go_to_step(2)
    tablet = students[0]
    waiting = tablet.get(f"/live/{live.code}").text
    assert "your teacher will open this question" in waiting
    assert tablet.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"},
                       follow_redirects=True).text.count("This question is closed, so that answer was not saved.") == 1
    live.control("open")
    open_page = tablet.get(f"/live/{live.code}").text
    assert 'type="radio"' in open_page and "badge-ok" not in open_page
    assert "exclusionary rule" not in open_page  # neither feedback nor explanation before the reveal
    tablet.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"})
    tablet.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})
    page = tablet.get(f"/live/{live.code}").text
    assert 'value="b" checked' in page
    assert '<span class="option-letter">B.</span> Article 15' in page  # lettered as on the presenter's screen
    live.control("close")
    refused = tablet.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"},
                          follow_redirects=True)
    assert "This question is closed, so that answer was not saved." in refused.text
    assert "Answers are closed." in refused.text
    live.control("next")  # a tablet still showing the question sends an answer: it is told the class moved on
    behind = tablet.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"},
                         follow_redirects=True)
    assert "Your teacher had moved on, so that answer was not saved. Here is where the class is now." in behind.text
    live.control("back")
    live.control("reveal")
    revealed = tablet.get(f"/live/{live.code}").text
    assert "CAT Article 15 is the exclusionary rule." in revealed and "✓</span> correct" in revealed


def test_going_back_to_a_question_already_asked_finds_it_closed_and_revealable(live, students):
    live.go_to_step(2)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})
    live.control("reveal")
    live.control("next")
    live.control("back")
    assert live.row().question_state == "closed"
    assert "Answers are closed." in students[0].get(f"/live/{live.code}").text
    assert live.control("reveal").status_code == 302 and live.row().question_state == "revealed"
    live.control("next")  # a question never opened still waits to be opened
    assert live.row().question_state == "none"


def test_a_revealed_typed_answer_says_whether_it_was_accepted_whatever_digits_were_typed(live, students):
    live.go_to_step(5)  # "Which UDHR article is about education? Give the number."
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "٢٦"})  # 26, Arabic digits
    blank = students[1].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": " "},
                             follow_redirects=True)
    assert "Type an answer first." in blank.text
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "25"})
    live.control("reveal")
    assert "✓</span> accepted" in students[0].get(f"/live/{live.code}").text
    assert "✗</span> not accepted" in students[1].get(f"/live/{live.code}").text


def bar_counts(html: str) -> list[tuple[str, int]]:
    """(label, count) of each row of the presenter's answer bars."""
    rows = re.findall(r'<span class="bar-label">(.*?)</span>\s*<span class="bar-row"><progress max="\d+" '
                      r'value="(\d+)"', html, re.S)
    return [(re.sub(r"<[^>]+>", "", label), int(count)) for label, count in rows]


def open_the_first_question_and_answer_a_and_b(live, students):
    """The first question (CAT Article 15, right answer B) open; one student answers A, the other B."""
    live.go_to_step(2)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"})
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})


def test_the_presenter_sees_the_count_and_a_bar_for_each_answer(live, students):
    open_the_first_question_and_answer_a_and_b(live, students)
    results = live.presenter.get(f"{live.url}/results")
    assert "2 answers" in results.text and "from 2 learners in the class" in results.text
    assert bar_counts(results.text) == [("A. Article 3", 1), ("B. Article 15", 1), ("C. Article 10", 0)]
    # While it is open, the bars wait behind a closed panel (a room that sees the majority copies it) ...
    panel = results.text.split('<details class="answers-so-far"', 1)[1].split("</details>", 1)[0]
    assert "Show the answers so far" in panel and bar_counts(panel) == bar_counts(results.text)
    assert " open" not in panel.split(">", 1)[0]
    assert "bar-correct" not in results.text
    assert live.presenter.get(f"{live.url}/results",
                              headers={"If-None-Match": results.headers["ETag"]}).status_code == 304
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})
    changed = live.presenter.get(f"{live.url}/results", headers={"If-None-Match": results.headers["ETag"]})
    assert changed.status_code == 200 and bar_counts(changed.text) == [("A. Article 3", 0), ("B. Article 15", 2), ("C. Article 10", 0)]
    live.control("reveal")
    revealed = live.presenter.get(f"{live.url}/results").text
    assert '<li class="bar-correct">' in revealed and "answers-so-far" not in revealed  # ... then for all to see


def test_the_presenter_can_see_who_has_not_answered_yet(app, live, students, make, cast):
    live.go_to_step(2)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"})
    results = live.presenter.get(f"{live.url}/results")
    waiting = results.text.split("<details class=\"not-answered\"", 1)[1].split("</details>", 1)[0]
    assert "1 learner has not answered yet" in waiting and "sami" in waiting and "lena" not in waiting
    late = make.user(username="zara", display_name="Zara")
    with app.app_context():
        from app.classrooms.models import ClassroomMember

        db.session.add(ClassroomMember(classroom_id=cast.ours.id, user_id=late.id))
        db.session.commit()
    joined = live.presenter.get(f"{live.url}/results", headers={"If-None-Match": results.headers["ETag"]})
    assert joined.status_code == 200 and "2 learners have not answered yet" in joined.text and "Zara" in joined.text
    live.control("close")  # still there once closed: who to ask after the lesson
    assert "2 learners did not answer" in live.presenter.get(f"{live.url}/results").text
    live.control("end")
    assert "not-answered" not in live.presenter.get(live.url).text


def test_multiple_choice_and_short_answers_are_kept_as_given(app, live, students):
    live.go_to_step(3)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-multiple", "choice": ["a", "b", "zz"]})
    live.go_to_step(5)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "  article 26 "})
    assert 'value="article 26"' in students[0].get(f"/live/{live.code}").text
    # On the (projected) presenter screen, typed words wait behind a closed panel the teacher opens.
    results = live.presenter.get(f"{live.url}/results").text
    typed = results.split('<details class="typed-answers"', 1)[1].split("</details>", 1)[0]
    assert "Show what was typed" in typed and "article 26" in typed and " open" not in typed.split(">", 1)[0]


def typed_bars(html: str) -> list[str]:
    panel = html.split('<ol class="answer-bars"', 1)[1].split("</ol>", 1)[0] if "answer-bars" in html else ""
    return [label for label, _count in bar_counts(panel)]


def test_the_presenter_hides_a_typed_answer_from_the_screen_and_can_put_it_back(app, live, students, people):
    live.go_to_step(5)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "Stupid lesson"})
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "26"})
    before = live.presenter.get(f"{live.url}/results")
    assert typed_bars(before.text) == ["stupid lesson", "26"]
    assert 'aria-label="Hide “stupid lesson” from the screen"' in before.text

    version = live.row().version
    hidden = live.presenter.post(f"{live.url}/hidden-answers",
                                 data={"question": "m2-short", "text": "Stupid  LESSON", "do": "hide"})
    assert hidden.status_code == 302 and hidden.location.endswith("#live-results")
    after = live.presenter.get(f"{live.url}/results", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200  # the projector's poll picks it up, without moving the session on
    assert typed_bars(after.text) == ["26"] and "2 answers" in after.text
    kept = after.text.split('<details class="hidden-answers"', 1)[1].split("</details>", 1)[0]
    assert "1 answer hidden from the screen" in kept and "stupid lesson" in kept and "Show again" in kept
    assert live.row().version == version  # the students' tablets have nothing new to load
    shown = live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "stupid lesson",
                                                                   "do": "show"})
    assert shown.status_code == 302 and live.row().hidden_answers == {}
    assert typed_bars(live.presenter.get(f"{live.url}/results").text) == ["stupid lesson", "26"]
    live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "stupid lesson",
                                                           "do": "hide"})
    # The learner's own answer and record keep what they typed.
    assert 'value="Stupid lesson"' in students[0].get(f"/live/{live.code}").text
    live.control("end")
    with app.app_context():
        assert "Stupid lesson" in db.session.scalars(select(PracticeAnswer.response)).all()
    assert live.row().hidden_answers is None  # the words are not kept on the session once it is over
    late = live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "26", "do": "hide"},
                               follow_redirects=True)
    assert "This session has ended." in late.text and live.row().hidden_answers is None



def test_only_a_typed_answer_of_this_session_s_module_can_be_hidden_and_only_by_the_class_s_teachers(
        app, live, students, people):
    live.go_to_step(5)
    refused = live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-single", "text": "a",
                                                                      "do": "hide"}, follow_redirects=True)
    assert "There is no such typed answer to hide." in refused.text
    assert live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "x",
                                                                   "do": "delete"}).status_code == 400
    other_teacher = app.test_client()
    sign_in(other_teacher, people.other_trainer)
    for outsider in (students[0], other_teacher):
        response = outsider.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "26",
                                                                    "do": "hide"})
        assert response.status_code in (403, 404)
    assert live.row().hidden_answers is None


def test_the_presenter_sees_who_has_joined_the_session_on_every_step(app, live, students):
    first = live.presenter.get(f"{live.url}/results")
    assert "Joined: 0 of 2 learners" in first.text
    waiting = first.text.split('<details class="not-joined"', 1)[1].split("</details>", 1)[0]
    assert "2 learners have not joined yet" in waiting and "sami" in waiting
    for _ in range(2):  # a reload is the same learner
        assert students[1].get(f"/live/{live.code}").status_code == 200
    joined = live.presenter.get(f"{live.url}/results", headers={"If-None-Match": first.headers["ETag"]})
    assert joined.status_code == 200 and "Joined: 1 of 2 learners" in joined.text
    assert "1 learner has not joined yet" in joined.text and "sami" not in joined.text.split("not-joined", 1)[1]
    live.go_to_step(2)
    live.control("open")  # from here "has not answered yet" says it, joined or not
    results = live.presenter.get(f"{live.url}/results").text
    assert "Joined: 1 of 2 learners" in results and "not-joined" not in results and "not-answered" in results
    live.control("end")
    students[0].get(f"/live/{live.code}")  # an ended session counts nobody new
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveParticipant)) == 1


def test_a_learner_s_joined_sessions_are_in_their_export_and_go_with_their_account(app, live, students, people):
    students[0].get(f"/live/{live.code}")
    exported = students[0].get("/account/export").get_json()
    assert [row["class"] for row in exported["live_sessions_joined"]] == ["Class 5B"]
    students[0].post("/account/delete", data={"password": DEFAULT_PASSWORD, "understood": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveParticipant)) == 0


def test_a_double_click_moves_the_session_one_step_not_two(live):
    version = live.row().version
    assert live.control("next", version).status_code == 302
    again = live.control("next", version)
    assert again.status_code == 302
    assert live.row().step == 1
    assert "already moved on" in live.presenter.get(live.url).text


def test_a_screen_that_is_behind_is_told_the_session_moved_on_whatever_button_it_pressed(live):
    live.go_to_step(2)  # a question
    seen = live.row().version
    live.control("open")  # another teacher opened it
    stale = live.control("open", seen)  # this screen still offers "Open question"
    assert stale.status_code == 302 and live.row().version == seen + 1
    page = live.presenter.get(live.url).text
    assert "already moved on" in page and "does not apply" not in page


def test_ending_stores_answers_as_practice_not_as_quiz_attempts(app, live, students, people):
    live.go_to_step(2)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"})
    live.go_to_step(3)
    live.control("open")  # asked, and nobody answered it
    assert live.control("end").status_code == 302
    with app.app_context():
        practice = db.session.scalars(select(PracticeAnswer).order_by(PracticeAnswer.user_id)).all()
        assert [(p.user_id == people.learner.id, p.question_key, p.correct) for p in practice] == [
            (True, "m2-single", True), (False, "m2-single", False)]
        assert db.session.scalar(select(QuizAttempt.id)) is None
        assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "live_session_ended")) \
            ["answers"] == 2
    ended = students[0].get(f"/live/{live.code}").text
    assert "The session has ended" in ended and "data-live-ended" in ended
    assert live.control("next").status_code == 302  # nothing to control any more: a message, not an error
    drill_down = live.presenter.get(f"/classes/{live.classroom.id}/learners/{people.learner.id}").text
    assert "Answers in live sessions (practice)" in drill_down
    grid = live.presenter.get(f"/classes/{live.classroom.id}/report").text
    assert '<span class="practice">live 1/1</span>' in grid and '<span class="practice">live 0/1</span>' in grid
    # The CSV gives the live answers two columns of numbers, not "live 1/1" inside the status (a date, to Excel).
    rows = list(csv.reader(io.StringIO(
        live.presenter.get(f"/classes/{live.classroom.id}/report.csv").data.decode("utf-8-sig"))))
    live_columns = [index for index, heading in enumerate(rows[0]) if "live answers" in heading]
    assert [rows[0][index].split(": ", 1)[1] for index in live_columns] == ["live answers", "live answers correct"]
    by_name = {row[0]: row for row in rows[1:]}
    assert [by_name["lena"][index] for index in live_columns] == ["1", "1"]
    assert [by_name["sami"][index] for index in live_columns] == ["1", "0"]
    assert not any("live" in cell for row in rows[1:] for cell in row)
    # The teacher finds the ended session from the class page; its screen says it ended and no longer invites.
    class_page = live.presenter.get(f"/classes/{live.classroom.id}").text
    assert "Earlier sessions" in class_page and f'href="{live.url}"' in class_page
    presenter = live.presenter.get(live.url).text
    assert "<h1>The session has ended</h1>" in presenter
    assert 'id="step-title"' not in presenter and "live-results" not in presenter  # the summary is the page
    assert "Open: learners are answering" not in presenter and live.code not in presenter
    # ... and sums the session up: each question, its answers and the share answered rightly.
    summary = presenter.split('id="summary-title"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td lang=\"en\" dir=\"ltr\">Question 1 of 5: Which article excludes[^<]*</td>\s*<td>2</td>\s*<td>50%</td>", summary)
    assert re.search(r"<td lang=\"en\" dir=\"ltr\">Question 2 of 5: [^<]*</td>\s*<td>0</td>\s*<td>–</td>", summary)
    # A question the presenter never opened says so, rather than looking like one nobody could answer.
    assert re.search(r"<td lang=\"en\" dir=\"ltr\">Question 3 of 5: [^<]*</td>\s*<td colspan=\"2\">Not asked</td>", summary)


def test_students_of_another_class_and_strangers_cannot_follow_or_answer(app, live, people, make):
    for user in (people.other_learner, make.user(username="stranger")):
        outsider = app.test_client()
        sign_in(outsider, user)
        assert outsider.get(f"/live/{live.code}").status_code == 404
        assert outsider.get(f"/live/{live.code}/stage").status_code == 404
        assert outsider.post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"}) \
            .status_code == 404



def test_an_empty_session_code_is_a_field_error_on_the_join_page(students):
    response = students[0].post("/live", data={"live-code": "  "})
    assert response.status_code == 200
    assert "Type the session code shown on the board." in response.text and "Join the session" in response.text
    # On a phone the box is far down the page: it takes the focus, so its message is what the learner sees.
    assert re.search(r'<input[^>]*autofocus[^>]*id="live-code"|<input[^>]*id="live-code"[^>]*autofocus', response.text)
    assert response.text.count("autofocus") == 1

def test_a_wrong_session_code_is_a_field_error_that_keeps_what_was_typed(live, students, make, people):
    wrong = students[0].post("/live", data={"live-code": "zzz-999"})
    assert wrong.status_code == 200
    assert "No live session has this code. Check it, and that you joined the class." in wrong.text
    assert 'value="zzz-999"' in wrong.text
    class_code = students[0].post("/live", data={"live-code": "ABCD-EFGH"})
    assert "This is a class code: type it under “Join a class” above." in class_code.text
    outsider = make.user(username="outsider")  # the right code, but not in the class: the same answer
    client = students[0].application.test_client()
    sign_in(client, outsider)
    assert "No live session has this code" in client.post("/live", data={"live-code": live.code}).text


def test_the_learner_finds_the_running_session_from_their_class_page_or_by_code(live, students):
    page = students[0].get("/join").text
    assert f'href="/live/{live.code}"' in page
    response = students[0].post("/live", data={"live-code": live.code.lower()})
    assert response.headers["Location"] == f"/live/{live.code}"
    # The board says "join at /join with code …": typed in the class-code box, the session code works too.
    typed_in_the_class_box = students[0].post("/join", data={"code": f" {live.code[:3].lower()}-{live.code[3:]}"})
    assert typed_in_the_class_box.headers["Location"] == f"/live/{live.code}"


def test_the_student_page_loads_the_polling_script_without_inline_script(live, students):
    page = students[0].get(f"/live/{live.code}").text
    assert '<script src="/static/js/live.js" defer></script>' in page
    assert re.search(r"<script>(?!</script>)", page) is None and " onclick=" not in page


def test_the_student_page_s_header_offers_only_the_way_out(live, students):
    """A child on a tablet follows the teacher: no catalogue, standards or account links to wander off to."""
    header = students[0].get(f"/live/{live.code}").text.split("</header>", 1)[0]
    assert ">Leave the session</a>" in header and ">Sign out</button>" in header
    assert ">Courses<" not in header and ">Standards<" not in header and ">Account<" not in header


def test_once_revealed_a_wrong_choice_is_marked_and_its_feedback_shown_to_that_student_only(live, students):
    open_the_first_question_and_answer_a_and_b(live, students)
    before = students[0].get(f"/live/{live.code}").text
    live.control("reveal")
    wrong, right = (tablet.get(f"/live/{live.code}").text for tablet in students)
    assert "not correct" not in before and "non-refoulement" not in before
    assert "✗</span> not correct" in wrong and "Article 3 is about non-refoulement." in wrong
    assert "✗</span> not correct" not in right and "Right: the exclusionary rule." in right
    assert "non-refoulement" not in right


def test_during_a_live_session_the_course_s_links_open_in_a_new_tab_and_in_page_links_stay():
    from app.classrooms.live import links_in_new_tab

    html = ('<p><a href="/standards#UDHR-1">UDHR 1</a> <a href="#fn-1">1</a> '
            '<a class="x" href="https://ohchr.org" target="_self">OHCHR</a> '
            '<a href="https://un.org" rel="noopener noreferrer nofollow">UN</a></p>')
    assert links_in_new_tab(html) == (
        '<p><a target="_blank" rel="noopener" href="/standards#UDHR-1">UDHR 1</a> <a href="#fn-1">1</a> '
        '<a class="x" href="https://ohchr.org" target="_self">OHCHR</a> '
        '<a target="_blank" href="https://un.org" rel="noopener noreferrer nofollow">UN</a></p>')


def test_a_question_not_opened_yet_shows_no_empty_bars_to_the_room(live, students):
    live.go_to_step(2)
    assert "answer-bars" not in live.presenter.get(f"{live.url}/results").text
    live.control("open")
    assert "answer-bars" in live.presenter.get(f"{live.url}/results").text


def test_a_learner_signing_in_mid_lesson_finds_the_running_session_on_my_learning(live, students):
    dashboard = students[0].get("/learning").text
    assert "Class 5B is in a live session now." in dashboard
    assert f'href="/live/{live.code}">Join the live session: Module 2</a>' in dashboard
    live.control("end")
    assert "live session now" not in students[0].get("/learning").text


def test_the_presenter_can_go_straight_to_any_step(live, students):
    page = live.presenter.get(live.url).text
    assert page.count('name="step" value="') == 6  # every step but the current one, which is marked
    assert '<span aria-current="step">Introduction</span>' in page
    assert live.presenter.post(f"{live.url}/goto", data={"version": str(live.row().version), "step": "5"}
                               ).status_code == 302
    assert (live.row().step, live.row().question_state) == (5, "none")
    assert "Question 4 of 5" in students[0].get(f"/live/{live.code}/stage").text  # the class follows
    live.control("open")
    live.presenter.post(f"{live.url}/goto", data={"version": str(live.row().version), "step": "0"})
    live.presenter.post(f"{live.url}/goto", data={"version": str(live.row().version), "step": "5"})
    assert (live.row().step, live.row().question_state) == (5, "closed")  # asked before: its answers stand


def test_going_to_a_step_that_does_not_exist_or_is_the_current_one_changes_nothing(live):
    version = live.row().version
    for step in ("7", "0"):
        refused = live.presenter.post(f"{live.url}/goto", data={"version": str(version), "step": step},
                                      follow_redirects=True)
        assert "does not apply to the current step" in refused.text
    for bad in ({"version": str(version)}, {"version": str(version), "step": "-1"},
                {"version": str(version), "step": "two"}, {"version": "x", "step": "1"}):
        assert live.presenter.post(f"{live.url}/goto", data=bad).status_code in (302, 400)
    assert (live.row().step, live.row().version) == (0, version)
    assert live.presenter.post(f"{live.url}/goto", data={"version": str(version), "step": "two"}).status_code == 400


def test_after_the_session_the_teacher_sees_each_learner_s_answer_to_each_question(app, live, students, people):
    from app.classrooms.models import ClassroomMember

    live.go_to_step(2)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "b"})
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-single", "choice": "a"})
    live.go_to_step(5)  # the typed question; questions 2 to 3 are never opened, so they are not columns
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "26"})
    so_far = live.presenter.get(f"{live.url}/answers.csv").data.decode("utf-8-sig")  # graded as they come
    assert so_far.splitlines()[1:] == ["lena,B (correct),26 (correct),2,2", "sami,A (not correct),,1,0"]
    live.control("end")

    page = live.presenter.get(live.url).text
    table = page.split('id="by-learner-title"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table) == ["Learner", "Question 1 of 5", "Question 4 of 5",
                                                                  "Correct"]
    rows = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in table.split("<tbody>")[1].split("</tr>")[:-1]]
    assert rows == [["lena", "✓", "correct:", "B", "✓", "correct:", "26", "2", "/", "2"],
                    ["sami", "✗", "not", "correct:", "A", "–", "no", "answer", "0", "/", "1"]]

    download = live.presenter.get(f"{live.url}/answers.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "-live-answers-" in download.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")))) == [
        ["Learner", "Question 1 of 5", "Question 4 of 5", "Answered", "Correct"],
        ["lena", "B (correct)", "26 (correct)", "2", "2"],
        ["sami", "A (not correct)", "", "1", "0"]]

    with app.app_context():  # a learner who leaves the class is counted in the summary, no longer named here
        db.session.execute(ClassroomMember.__table__.delete().where(ClassroomMember.user_id == people.learner.id))
        db.session.commit()
    page = live.presenter.get(live.url).text
    assert "2 answers from people no longer in the class are counted above, not listed here." in page
    assert "<bdi>lena</bdi>" not in page.split('id="by-learner-title"', 1)[1]


def test_the_class_screen_shows_the_room_the_step_and_only_closed_answers_never_names_or_notes(live, students):
    screen = live.presenter.get(f"{live.url}/screen")
    assert screen.status_code == 200 and "Introduction" in screen.text and live.code in screen.text
    assert f'href="{live.url}/screen"' in live.presenter.get(live.url).text  # the presenter's way to it
    assert "SECRET FACILITATOR NOTE" not in screen.text and "presenter-controls" not in screen.text
    assert '<meta http-equiv="refresh" content="5">' in screen.text  # follows without JavaScript too
    assert "Joined: 0 of 2 learners" in screen.text and "sami" not in screen.text
    assert '<h1 lang="en" dir="ltr">Introduction</h1>' in screen.text  # the course's words, in its language
    assert '<h1 lang="en" dir="ltr">Introduction</h1>' in students[0].get(f"/live/{live.code}").text
    assert '<h1 id="step-title" lang="en" dir="ltr">Introduction</h1>' in live.presenter.get(live.url).text

    open_the_first_question_and_answer_a_and_b(live, students)
    polled = live.presenter.get(f"{live.url}/screen/stage")
    assert "Answer now, on your device." in polled.text and "2 answers" in polled.text
    assert bar_counts(polled.text) == [] and "sami" not in polled.text  # open: no bars for the room to copy
    assert live.presenter.get(f"{live.url}/screen/stage",
                              headers={"If-None-Match": polled.headers["ETag"]}).status_code == 304
    live.control("close")
    closed = live.presenter.get(f"{live.url}/screen/stage", headers={"If-None-Match": polled.headers["ETag"]})
    assert closed.status_code == 200 and "Answers are closed." in closed.text
    assert bar_counts(closed.text) == [("A. Article 3", 1), ("B. Article 15", 1), ("C. Article 10", 0)]
    assert "bar-correct" not in closed.text and "badge-ok" not in closed.text
    live.control("reveal")
    revealed = live.presenter.get(f"{live.url}/screen/stage").text
    assert '<li class="bar-correct">' in revealed and "not-answered" not in revealed
    live.control("end")
    ended = live.presenter.get(f"{live.url}/screen")
    assert "data-live-ended" in ended.text and "http-equiv" not in ended.text


def test_the_class_screen_shows_typed_answers_once_closed_without_those_the_teacher_hid(live, students):
    live.go_to_step(5)
    live.control("open")
    students[0].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "Stupid lesson"})
    students[1].post(f"/live/{live.code}/answer", data={"question": "m2-short", "text": "26"})
    assert "stupid lesson" not in live.presenter.get(f"{live.url}/screen/stage").text
    live.presenter.post(f"{live.url}/hidden-answers", data={"question": "m2-short", "text": "stupid lesson",
                                                           "do": "hide"})
    live.control("close")
    closed = live.presenter.get(f"{live.url}/screen/stage").text
    assert typed_bars(closed) == ["26"] and "stupid lesson" not in closed and "Hide" not in closed
    assert "Accepted answers" not in closed
    live.control("reveal")
    assert "Accepted answers:" in live.presenter.get(f"{live.url}/screen/stage").text
