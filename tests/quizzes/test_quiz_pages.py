"""The quiz page, drafts and the result page, through the test client as a learner uses them."""

import re

from sqlalchemy import select, update

from app.auth.models import LoginSession
from app.catalog.models import Module
from app.extensions import db
from app.quizzes.models import AttemptStatus
from app.quizzes.services import option_order_for
from tests.course_builder import module_text
from tests.quizzes.conftest import ALL_RIGHT, ALL_WRONG, COURSE, QUIZ_URL, attempts_in_db, start_attempt, submit


def module_quiz(app, slug="module-3"):
    with app.app_context():
        return db.session.scalar(select(Module.quiz).where(Module.slug == slug))


def secrets_of(quiz) -> list[str]:
    """Every text a learner must not see before submitting: feedback, explanations, accepted answers."""
    found = []
    for question in quiz["questions"]:
        found.append(question["explanation_html"])
        found.extend(option["feedback_html"] for option in question["options"] if option["feedback_html"])
        found.extend(question["accepted_answers"])
    return [text for text in found if text]


def test_the_quiz_page_without_an_open_attempt_offers_to_start_and_creates_nothing(app, client, course, people,
                                                                                    login):
    login(client, people.learner)
    page = client.get(QUIZ_URL)
    assert page.status_code == 200
    assert "Start the quiz" in page.text
    assert "Pass mark: 70%" in page.text and "Attempts allowed: 3" in page.text
    assert attempts_in_db(app) == []


def test_starting_twice_resumes_the_same_open_attempt(app, client, course, people, login):
    login(client, people.learner)
    first = start_attempt(client)
    second = start_attempt(client)
    assert first == second
    attempts = attempts_in_db(app)
    assert len(attempts) == 1 and attempts[0].status == AttemptStatus.OPEN and attempts[0].number == 1


def page_content(html: str, token: str) -> str:
    """The page's <main>, without the random tokens (which could contain a short answer such as "26" by chance).
    The site's name, "Article 26", is in the header and footer, outside <main>."""
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r'name="csrf_token" value="[^"]*"', "", main)
    return main.replace(token, "TOKEN")


def test_the_quiz_page_carries_no_correct_flags_feedback_explanations_or_accepted_answers(app, client, course,
                                                                                            people, login):
    login(client, people.learner)
    token = start_attempt(client)
    html = page_content(client.get(QUIZ_URL).text, token)
    quiz = module_quiz(app)
    secrets = secrets_of(quiz)
    assert len(secrets) >= 8  # the fixture really has feedback, explanations and accepted answers to leak
    for secret in secrets:
        assert secret not in html, f"the quiz page leaks {secret!r}"
    assert not re.search(r"correct|feedback|explanation|accepted", html, re.IGNORECASE), \
        "the quiz page mentions correctness data"
    for question in quiz["questions"]:
        assert question["prompt_html"] in html
        for option in question["options"]:
            assert option["html"] in html


def test_every_question_type_is_answerable_with_plain_form_controls(app, client, course, people, login):
    login(client, people.learner)
    start_attempt(client)
    html = client.get(QUIZ_URL).text
    assert html.count("<fieldset") == 5 and html.count("<legend") == 5
    assert 'type="radio" id="q-m3-single-a"' in html and '<label for="q-m3-single-a">' in html
    assert 'type="checkbox" id="q-m3-multiple-a"' in html and "Choose all that apply." in html
    assert 'type="radio" id="q-m3-truefalse-a"' in html
    assert '<label for="q-m3-short">Your answer</label>' in html and 'type="text" id="q-m3-short"' in html
    assert "<script>" not in html and " style=" not in html and " onclick" not in html


def test_a_scenario_shows_its_case_text_once_above_its_questions(app, client, course, people, login):
    login(client, people.learner)
    start_attempt(client)
    html = client.get(QUIZ_URL).text
    case_text = "signed confession arrives after two days without sleep"
    assert html.count(case_text) == 1
    assert html.index("Scenario: The confession") < html.index(case_text) < html.index("What should the judge do")


def test_the_option_order_is_kept_for_the_whole_attempt(make, app, client, people, login, courses_root):
    make.course(COURSE, root=courses_root, shuffle=True)
    login(client, people.learner)
    start_attempt(client)
    (attempt,) = attempts_in_db(app)
    assert sorted(attempt.option_order["m3-multiple"]) == ["a", "b", "c"]
    for _ in range(2):  # every reload shows the order stored when the attempt started
        html = client.get(QUIZ_URL).text
        assert re.findall(r'id="q-m3-multiple-([a-z])"', html) == attempt.option_order["m3-multiple"]
        assert re.findall(r'id="q-m3-single-([a-z])"', html) == attempt.option_order["m3-single"]


def test_shuffling_reorders_choice_options_but_never_true_and_false():
    quiz = {"shuffle": True, "questions": [
        {"id": "one", "type": "single", "options": [{"id": "a"}, {"id": "b"}, {"id": "c"}]},
        {"id": "many", "type": "multiple", "options": [{"id": "a"}, {"id": "b"}]},
        {"id": "tf", "type": "true_false", "options": [{"id": "a"}, {"id": "b"}]},
        {"id": "text", "type": "short_answer", "options": []},
    ]}
    reverse = list.reverse
    assert option_order_for(quiz, reverse) == {"one": ["c", "b", "a"], "many": ["b", "a"], "tf": ["a", "b"],
                                               "text": []}
    assert option_order_for({**quiz, "shuffle": False}, reverse)["one"] == ["a", "b", "c"]


def test_saved_answers_survive_an_expired_session(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    saved = client.post(f"{QUIZ_URL}/attempts/{token}/save",
                        data={"q-m3-multiple": ["a", "c"], "q-m3-short": "Article 26", "q-m3-single": "zz"})
    assert saved.status_code == 302
    with app.app_context():  # the session expires while the learner is away
        db.session.execute(update(LoginSession).values(expires_at=LoginSession.created_at))
        db.session.commit()
    assert client.get(QUIZ_URL).status_code == 302  # sent to sign in
    login(client, people.learner)
    html = client.get(QUIZ_URL).text
    assert "Answered: 2 of 5 questions" in html  # the unknown option is no answer
    assert re.search(r'id="q-m3-multiple-a"\s+name="q-m3-multiple" value="a" checked', html)
    assert re.search(r'id="q-m3-multiple-c"\s+name="q-m3-multiple" value="c" checked', html)
    assert not re.search(r'value="b" checked', html)
    assert 'value="Article 26"' in html
    (attempt,) = attempts_in_db(app)
    assert attempt.draft_answers["m3-single"] == []  # unknown option ids are never stored


def test_the_autosave_request_gets_a_json_answer(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    response = client.post(f"{QUIZ_URL}/attempts/{token}/save", data={"q-m3-short": "26"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json == {"saved": True}
    assert attempts_in_db(app)[0].draft_answers["m3-short"] == "26"
    submit(client, token, ALL_RIGHT)
    late = client.post(f"{QUIZ_URL}/attempts/{token}/save", data={"q-m3-short": "25"},
                       headers={"Accept": "application/json"})  # a tab left open after submitting in another
    assert late.status_code == 409 and late.json["submitted"] is True
    assert late.json["result"].endswith(f"{QUIZ_URL}/attempts/{token}")


def test_submitting_grades_on_the_server_and_shows_the_result(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    response = submit(client, token, {**ALL_RIGHT, "q-m3-truefalse": "a"})
    assert response.status_code == 302
    assert response.location.endswith(f"{QUIZ_URL}/attempts/{token}")
    (attempt,) = attempts_in_db(app)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.open_slot is None
    assert attempt.score == 80.0 and attempt.passed is True
    assert {answer.question_key: answer.correct for answer in attempt.answers} == {
        "m3-single": True, "m3-multiple": True, "m3-truefalse": False, "m3-short": True, "m3-case-first": True}
    html = client.get(response.location).text
    assert "Attempt 1: 80%" in html and "Passed" in html and "4 of 5 questions correct." in html
    assert "No: the prohibition is absolute." in html  # feedback of the chosen (wrong) option
    assert "Right: the exclusionary rule." in html  # feedback of the chosen (right) option
    assert "Article 3 is about non-refoulement." not in html  # feedback of an option not chosen
    assert "CAT Article 15 is the exclusionary rule." in html  # explanation
    assert 'href="/standards#CAT-15"' in html and 'href="/standards#UDHR-26"' in html
    assert "Retake the quiz" in html and "2 attempts left." in html
    # Passed, but modules 1 and 2 are still open: the way forward is the course page, the retake comes second.
    assert '<a class="button primary" href="/courses/test-course">See what is left in the course</a>' in html
    assert '<button type="submit" class="button">Retake the quiz</button>' in html


def test_after_a_pass_the_result_leads_to_the_next_module_and_after_a_fail_to_a_retake(make, app, client, people,
                                                                                      login, courses_root):
    make.course("next-step", root=courses_root, modules=3, quiz_modules=(1,))
    quiz_url = "/courses/next-step/m/module-1/quiz"
    login(client, people.learner)
    right = {key.replace("m3-", "m1-"): value for key, value in ALL_RIGHT.items()}
    wrong = {key.replace("m3-", "m1-"): value for key, value in ALL_WRONG.items()}
    failed = client.get(submit(client, start_attempt(client, quiz_url), wrong, quiz_url).location).text
    assert "Next module" not in failed
    assert '<button type="submit" class="button primary">Retake the quiz</button>' in failed
    passed = client.get(submit(client, start_attempt(client, quiz_url), right, quiz_url).location).text
    assert ('<a class="button primary" href="/courses/next-step/m/module-2">Next module: Module 2</a>'
            in passed)


def test_partial_credit_shows_on_the_result_page(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    html = client.get(submit(client, token, {"q-m3-multiple": ["a"]}).location).text
    assert "Partly correct (50% of the marks)" in html
    assert attempts_in_db(app)[0].score == 10.0


def test_the_result_lists_past_attempts_with_best_and_last_scores(app, client, course, people, login):
    login(client, people.learner)
    submit(client, start_attempt(client), ALL_RIGHT)
    second = start_attempt(client)
    html = client.get(submit(client, second, ALL_WRONG).location).text
    assert "Attempt 2: 0%" in html
    assert "Attempt 1</a>" in html and "Attempt 2</a>" in html
    assert "Best score: 100%. Last score: 0%." in html


def test_the_attempt_limit_holds_on_the_server(app, client, course, people, login):
    login(client, people.learner)
    for _ in range(3):
        submit(client, start_attempt(client), ALL_WRONG)
    refused = client.post(f"{QUIZ_URL}/attempts")
    assert refused.status_code == 302
    page = client.get(QUIZ_URL).text
    assert "You have used all your attempts at this quiz without passing it" in page
    assert "your trainer or teacher can allow you another attempt" in page and "Start a new attempt" not in page
    assert len(attempts_in_db(app)) == 3


def test_an_open_attempt_address_leads_back_to_the_quiz_form(app, client, course, people, login):
    login(client, people.learner)
    token = start_attempt(client)
    response = client.get(f"{QUIZ_URL}/attempts/{token}")
    assert response.status_code == 302 and response.location.endswith(QUIZ_URL)


def test_a_past_result_is_shown_against_the_revision_it_was_taken_on(make, app, client, people, login,
                                                                    courses_root):
    make.course(COURSE, root=courses_root)
    login(client, people.learner)
    token = start_attempt(client)
    submit(client, token, ALL_RIGHT)
    module_file = courses_root / COURSE / "03-module-3.md"
    edited = (module_text(3)
              .replace("- [x] Article 15", "- [ ] Article 15").replace("- [ ] Article 10", "- [x] Article 10")
              .replace("CAT Article 15 is the exclusionary rule.", "Edited explanation."))
    module_file.write_text(edited)
    make.synced_course(courses_root, COURSE)
    assert module_quiz(app)["questions"][0]["options"][2]["correct"] is True
    html = client.get(f"{QUIZ_URL}/attempts/{token}").text
    assert "Attempt 1: 100%" in html and "5 of 5 questions correct." in html
    assert "CAT Article 15 is the exclusionary rule." in html and "Edited explanation." not in html
    new_token = start_attempt(client)  # a new attempt is taken on the new revision
    assert "Edited explanation." in client.get(submit(client, new_token, ALL_RIGHT).location).text
    assert attempts_in_db(app)[1].score == 80.0


def test_a_passed_quiz_s_module_page_no_longer_says_it_completes_when_passed(app, client, course, people, login):
    login(client, people.learner)
    module_page = QUIZ_URL.rsplit("/quiz", 1)[0]
    assert "This module is complete when you pass its quiz." in client.get(module_page).text
    submit(client, start_attempt(client), ALL_RIGHT)
    page = client.get(module_page).text
    assert "Quiz passed: review or retake" in page and "complete when you pass its quiz" not in page
