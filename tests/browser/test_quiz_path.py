"""The quiz steps of a learner's path in a real browser: keyboard only, fail, retake, pass; without JavaScript too."""

import re

import pytest
from playwright.sync_api import expect

QUIZ = "/courses/one-quiz/m/module-1/quiz"
# The autosave posts 1.5 s after the last change (app/static/js/quiz-autosave.js): expect()'s default 5 s left a loaded
# 2-core machine 3.5 s for the request and the reply.
AUTOSAVED = 15_000


@pytest.fixture
def course(make):
    return make.course("one-quiz", title="One quiz", modules=1, quiz_modules=(1,))


def answer_by_keyboard(page, *, right: bool) -> None:
    """Space checks the focused radio or checkbox; arrow keys move within a radio group; typing fills the text."""
    page.locator("#q-m1-single-a").focus()
    page.keyboard.press("Space")
    if right:
        page.keyboard.press("ArrowDown")  # b: Article 15
    for option in ("a", "b") if right else ("c",):
        page.locator(f"#q-m1-multiple-{option}").focus()
        page.keyboard.press("Space")
    page.locator("#q-m1-truefalse-b" if right else "#q-m1-truefalse-a").focus()
    page.keyboard.press("Space")
    page.locator("#q-m1-short").focus()
    page.keyboard.type("Article 26" if right else "25")
    page.locator("#q-m1-case-first-a" if right else "#q-m1-case-first-b").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Submit answers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_learner_fails_the_quiz_retakes_it_by_keyboard_and_passes(page, browser_login, people, course,
                                                                     axe_violations):
    browser_login(page, people.learner)
    page.goto("/courses/one-quiz/m/module-1")
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    assert page.get_by_role("group", name=re.compile("Question 1 of 5")).is_visible()
    assert page.get_by_role("heading", name="Scenario: The confession").is_visible()
    assert axe_violations(page) == []

    answer_by_keyboard(page, right=False)
    assert page.get_by_role("heading", name="Attempt 1: 0%").is_visible()
    assert page.get_by_text("Not passed").first.is_visible()
    assert page.get_by_text("No: the prohibition is absolute.").is_visible()  # feedback on the chosen option
    assert axe_violations(page) == []

    page.get_by_role("button", name="Retake the quiz").click()
    answer_by_keyboard(page, right=True)
    assert page.get_by_role("heading", name="Attempt 2: 100%").is_visible()
    assert page.get_by_text("You have completed the course.").is_visible()
    assert page.get_by_role("link", name="Attempt 1").is_visible()
    page.get_by_role("link", name="CAT-15").first.click()
    assert page.url.endswith("/standards#CAT-15")


def test_the_quiz_works_without_javascript_and_keeps_saved_answers(browser, live_server, people, course,
                                                                    browser_login):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        browser_login(page, people.learner)
        page.goto(QUIZ)
        page.get_by_role("button", name="Start the quiz").click()
        page.get_by_label("Article 15").check()
        page.get_by_label("Your answer").fill("Article 26")
        page.get_by_role("button", name="Save answers").click()
        assert page.get_by_text("Your answers are saved.").is_visible()
        page.goto(QUIZ)
        assert page.get_by_label("Article 15").is_checked()
        assert page.get_by_label("Your answer").input_value() == "Article 26"
        page.get_by_role("button", name="Submit answers").click()
        assert page.get_by_role("heading", name="Attempt 1: 40%").is_visible()
    finally:
        context.close()


def test_answers_are_saved_as_the_learner_goes(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("The presumption of innocence").check()
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_be_visible(timeout=AUTOSAVED)
    page.reload()
    assert page.get_by_label("The presumption of innocence").is_checked()


def test_a_change_after_saving_does_not_move_the_submit_button_from_under_the_finger(page, browser_login, people,
                                                                                     course):
    """A tap on Submit first takes the focus from the text box, whose "change" takes back "Answers saved.". Had
    that line gone, the page, scrolled to its end, would move up under the finger and the tap would miss."""
    browser_login(page, people.learner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Your answer").fill("Article 26")  # typed, still in the box
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_be_visible(timeout=AUTOSAVED)
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    submit = page.get_by_role("button", name="Submit answers")
    before = submit.bounding_box()["y"]
    page.get_by_label("Your answer").evaluate("box => box.blur()")  # what the tap does first
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_have_count(0)
    assert submit.bounding_box()["y"] == before


def test_answers_changed_after_the_session_ended_are_not_called_saved_and_come_back_after_signing_in(
        page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Article 15").check()
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_be_visible(timeout=AUTOSAVED)
    page.context.clear_cookies()  # signed out elsewhere, or the session expired
    page.get_by_label("Your answer").fill("Article 26")
    expect(page.get_by_role("status")).to_contain_text("Not saved", timeout=AUTOSAVED)
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_have_count(0)

    browser_login(page, people.learner)  # in the same tab
    page.goto(QUIZ)
    assert page.get_by_label("Your answer").input_value() == "Article 26"
    expect(page.get_by_role("status")).to_contain_text("Answers saved.", timeout=AUTOSAVED)  # the copy reached the server
    page.reload()
    assert page.get_by_label("Your answer").input_value() == "Article 26" and page.get_by_label("Article 15").is_checked()


def test_submitting_with_questions_left_blank_asks_first(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    counter = page.locator("[data-answered-count]")
    expect(counter).to_have_text("Answered: 0 of 5 questions")
    page.get_by_label("Article 15").check()
    page.get_by_label("Your answer").fill("Article 26")
    expect(counter).to_have_text("Answered: 2 of 5 questions")  # as the learner answers, not only once saved
    page.get_by_label("Your answer").fill("  ")
    expect(counter).to_have_text("Answered: 1 of 5 questions")
    page.get_by_label("Your answer").fill("Article 26")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit answers").click()
    assert questions == ["Questions left blank: 3. A blank answer counts as wrong. Submit anyway?"]
    assert page.get_by_role("button", name="Submit answers").is_visible()  # still on the quiz, nothing graded
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Attempt 1: 40%")).to_be_visible()


def test_submitting_with_every_question_blank_asks_nothing_and_the_server_explains(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("Answer at least one question before you submit. Nothing was graded")).to_be_visible()
    assert questions == []  # "Submit anyway?" would promise a grade the server then refuses


def test_enter_in_an_answer_box_saves_and_stays_on_the_question(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    box = page.get_by_label("Your answer")
    box.fill("Article 26")
    url = page.url
    box.press("Enter")  # a phone keyboard's "Go"
    expect(page.get_by_role("status").filter(has_text="Answers saved.")).to_be_visible(timeout=AUTOSAVED)
    assert page.url == url
    expect(box).to_be_focused()  # no reload to the top of the page


def test_a_tab_left_open_after_submitting_in_another_says_why_it_cannot_save(page, browser_login, people, course):
    browser_login(page, people.learner)
    page.goto(QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    other_tab = page.context.new_page()
    other_tab.goto(QUIZ)
    other_tab.get_by_label("Article 15").check()
    other_tab.once("dialog", lambda dialog: dialog.accept())
    other_tab.get_by_role("button", name="Submit answers").click()
    expect(other_tab.get_by_role("heading", name=re.compile("Attempt 1"))).to_be_visible()
    page.get_by_label("Your answer").fill("Article 26")
    expect(page.get_by_role("status")).to_contain_text("this attempt was submitted in another tab or window",
                                                       timeout=AUTOSAVED)
