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
