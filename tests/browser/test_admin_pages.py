"""The admin's pages in a real browser: long names, and the per-user controls on /admin/users."""

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
