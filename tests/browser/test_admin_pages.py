"""The admin's pages in a real browser: long names, and the per-user controls on /admin/users."""

from playwright.sync_api import expect

WIDE = {"width": 1280, "height": 800}


def test_a_long_unbroken_display_name_wraps_instead_of_widening_the_users_table(browser, live_server, browser_login,
                                                                                make, people):
    make.user(username="a" * 64, display_name="W" * 120)
    context = browser.new_context(base_url=live_server.url, viewport=WIDE)
    page = context.new_page()
    try:
        browser_login(page, people.admin)
        page.goto("/admin/users")
        widths = page.evaluate("""() => {
            const table = document.querySelector('main table');
            return {table: table.scrollWidth, box: table.parentElement.clientWidth};
        }""")
    finally:
        context.close()
    assert widths["table"] <= widths["box"], widths


def test_an_admin_changes_a_role_and_sets_a_new_passphrase_by_clicking(page, browser_login, axe_violations, people):
    browser_login(page, people.admin)
    page.goto("/admin/users")
    assert axe_violations(page) == []
    page.get_by_label("Role of lena", exact=True).select_option("trainer")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Change role of lena").click()
    expect(page.get_by_text("The role of lena is now Trainer.")).to_be_visible()
    assert questions.pop() == "Change the role of lena?"
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Set a new passphrase for lena").click()
    expect(page.get_by_role("heading", name="New passphrase")).to_be_visible()
    assert page.locator(".credential").nth(0).inner_text() == "lena"
    assert len(page.locator(".credential").nth(1).inner_text().split("-")) == 4
    assert questions == ["Give lena a new passphrase? Their current one stops working at once."]
    assert axe_violations(page) == []
