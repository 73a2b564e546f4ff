"""A second click on a form's button, while the first is still being answered, must not send the form again: the
answer to the first (class accounts' cards, a new passphrase) exists once, and the browser shows the last answer."""

from playwright.sync_api import expect

COUNT_SUBMISSIONS = """form => {
    let sent = 0;
    // Last in line (window, bubbling): counts the submissions the page's own scripts let through, then stops each
    // one, standing in for a server that has not answered yet.
    window.addEventListener("submit", event => { if (!event.defaultPrevented) { sent += 1; } event.preventDefault(); });
    form.requestSubmit();
    form.requestSubmit();
    return sent;
}"""


def test_a_form_is_sent_once_however_often_its_button_is_pressed(page, live_server, browser_login, make, people):
    classroom = make.classroom(people.trainer)
    browser_login(page, people.trainer)
    page.goto(f"{live_server.url}/classes/{classroom.id}/accounts")
    assert page.locator("form[method=post]").last.evaluate(COUNT_SUBMISSIONS) == 1
    # Loaded again, the page's form is sent as usual.
    page.reload()
    page.get_by_label("Username prefix").fill("class5b")
    page.get_by_label("Display names (optional)").fill("Amira\nBen")
    page.get_by_role("button", name="Create accounts").click()
    expect(page.locator(".credential-card")).to_have_count(2)


def test_a_double_tap_on_a_form_that_asks_first_asks_once(page, live_server, browser_login, make, people):
    course = make.course(modules=2, quiz_modules=(2,))
    browser_login(page, people.learner)
    page.goto(f"{live_server.url}/courses/{course.slug}/m/module-2/quiz")
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Article 15").check()  # some questions answered, some blank: the quiz asks before sending
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    form = page.locator("form[data-autosave]")
    assert form.evaluate(COUNT_SUBMISSIONS.replace("form.requestSubmit()", "form.requestSubmit(form.querySelector("
                                                   "'button:not([formaction])[type=submit]'))")) == 1
    assert len(questions) == 1, questions  # a second "Submit anyway?" after the first was sent would mislead
