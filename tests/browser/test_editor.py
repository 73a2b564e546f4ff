"""The course editor in a real browser: the live preview shows the server's rendering and its problems by line, and
leaving with unsaved text asks first — until the text is saved."""

from playwright.sync_api import expect

EDITOR = "/author/test-course/m/module-1"


def _open_editor(page, browser_login, people, make):
    make.course(modules=2, status="draft")
    browser_login(page, people.trainer)
    page.goto(EDITOR)
    return page.get_by_label("Markdown")


def test_live_preview_renders_the_text_and_its_problems_by_line(page, browser_login, people, make):
    source = _open_editor(page, browser_login, people, make)
    source.press("Control+End")
    source.type("\n\n## A section typed just now\n")
    # In the preview pane, visible: not merely somewhere in the document.
    expect(page.locator(".preview-pane #rendered-preview h2#a-section-typed-just-now")).to_be_visible()

    source.fill("no front matter at all")
    source.type(" ")  # fill() alone fires no key events; the preview listens for input
    expect(page.locator("#problems .has-errors h2")).to_have_text("Fix these problems before saving")
    expect(page.locator("#problems li").first).to_contain_text("Line 1:")


def test_a_refused_save_focuses_its_problems_and_each_line_number_selects_that_line(page, browser_login, people,
                                                                                    make):
    source = _open_editor(page, browser_login, people, make)
    text = source.input_value()
    source.fill(text.replace("standards: [UDHR-1]", "standards: [NOPE-99]"))
    page.get_by_role("button", name="Save").click()
    problems = page.locator("#problems .problems.has-errors")
    expect(problems).to_be_focused()
    expect(page.get_by_label("Markdown")).to_have_attribute("aria-invalid", "true")
    page.locator("#problems a[data-line='6']").click()
    selected = page.get_by_label("Markdown").evaluate(
        "box => box.value.slice(box.selectionStart, box.selectionEnd)")
    assert selected == "standards: [NOPE-99]"
    expect(page.get_by_label("Markdown")).to_be_focused()


def test_the_new_module_page_previews_its_text_as_a_module(page, browser_login, people, make):
    make.course(modules=1, status="draft")
    browser_login(page, people.trainer)
    page.goto("/author/test-course/modules/new")
    source = page.get_by_label("Markdown")
    source.press("Control+End")
    source.type("\n\n## Written on the new-module page\n")
    expect(page.locator(".preview-pane #rendered-preview h2#written-on-the-new-module-page")).to_be_visible()
    expect(page.locator("#problems")).not_to_contain_text("Line")


def test_leaving_with_unsaved_text_asks_first_and_saving_clears_it(page, live_server, browser_login, people, make):
    source = _open_editor(page, browser_login, people, make)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    source.press("Control+End")
    source.type("\nOne more sentence.\n")
    page.get_by_role("link", name="Account").click()
    for _ in range(50):  # the dialog comes as the navigation starts; give a slow machine up to 5 s
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(live_server.url + EDITOR)
    assert "One more sentence." in source.input_value()

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("Saved.")
    page.get_by_role("link", name="Account").click()
    expect(page).to_have_url(live_server.url + "/account")
    assert dialogs == ["beforeunload"]


def test_the_history_diff_shows_one_line_per_line(page, browser_login, people, make):
    source = _open_editor(page, browser_login, people, make)
    source.fill(source.input_value().replace("Module 1", "Renamed module"))
    page.get_by_role("button", name="Save").click()
    page.goto(EDITOR + "/history?revision=1")
    lines = page.locator("pre.diff span")
    assert lines.count() > 5
    tops = [lines.nth(index).bounding_box()["y"] for index in range(3)]
    line_height = tops[1] - tops[0]
    assert 0 < line_height < 30 and abs((tops[2] - tops[1]) - line_height) < 1  # single-spaced, evenly
    box = page.locator("pre.diff").bounding_box()
    assert box["height"] < line_height * (lines.count() + 2)  # no blank line after each one


def test_the_preview_shows_the_quiz_with_its_answers_and_follows_the_text(page, browser_login, people, make, axe_violations):
    make.course(modules=2, status="draft")
    browser_login(page, people.trainer)
    page.goto("/author/test-course/m/module-2")  # the course's quiz is in its last module
    quiz = page.locator(".preview-pane .quiz-preview")
    expect(quiz.get_by_role("heading", name="Quiz")).to_be_visible()
    article_15 = quiz.locator("li", has_text="Article 15")
    expect(article_15).to_contain_text("correct")
    expect(quiz.locator("li", has_text="Article 10")).not_to_contain_text("correct")
    assert axe_violations(page) == []

    source = page.get_by_label("Markdown")
    source.fill(source.input_value().replace("- [ ] Article 10", "- [x] Article 10")
                .replace("- [x] Article 15", "- [ ] Article 15"))
    source.type(" ")  # fill() alone fires no key events; the preview listens for input
    expect(quiz.locator("li", has_text="Article 10")).to_contain_text("correct")
    expect(quiz.locator("li", has_text="Article 15")).not_to_contain_text("correct")


def test_saving_without_a_change_says_so(page, browser_login, people, make):
    _open_editor(page, browser_login, people, make)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-info")).to_have_text("No changes to save.")


def test_an_image_over_the_servers_limit_comes_back_to_the_course_page(page, live_server, browser_login, people, make):
    make.course(modules=1, status="draft")
    browser_login(page, people.trainer)
    page.goto("/author/test-course")
    page.get_by_label("Image (PNG, JPEG, GIF or WebP, at most 2 MB)").set_input_files(
        {"name": "huge.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * (9 * 1024 * 1024)})
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-error")).to_have_text("Images can be at most 2 MB.")
    expect(page).to_have_url(live_server.url + "/author/test-course")


def test_the_413_page_goes_back_to_the_form(page, live_server, browser_login, people, make):
    browser_login(page, people.trainer)
    page.goto("/author/new")
    page.get_by_label("Title").fill("Fair trial")
    # No field of the app's forms takes 8 MB (their maxlength says so): add one, as a script could.
    page.evaluate("""() => {
        const form = document.querySelector("form[action='/author/new']");
        const big = document.createElement("input");
        big.type = "hidden"; big.name = "padding"; big.value = "x".repeat(9 * 1024 * 1024);
        form.appendChild(big);
        HTMLFormElement.prototype.submit.call(form);  // the form's button is named "submit"
    }""")
    expect(page.get_by_role("heading", name="File too large")).to_be_visible()
    page.get_by_role("link", name="Go back").click()
    expect(page).to_have_url(live_server.url + "/author/new")
    expect(page.get_by_role("heading", name="New course")).to_be_visible()
