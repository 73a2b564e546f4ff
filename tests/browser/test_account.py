"""The account page in a real browser: choosing one's time zone, offered from the device's own."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db


def test_the_account_page_offers_the_device_s_time_zone_and_saves_it(app, browser, live_server, browser_login,
                                                                      axe_violations, people):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, timezone_id="Africa/Nairobi")
    page = context.new_page()
    try:
        browser_login(page, people.learner)
        page.goto("/account")
        zone = page.get_by_label("Time zone")
        expect(zone).to_have_value("")  # the site's until the person chooses
        page.get_by_role("button", name="Use this device's time zone: Africa/Nairobi").click()
        expect(zone).to_have_value("Africa/Nairobi")
        expect(zone).to_be_focused()
        assert axe_violations(page) == []
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_text("Your profile is saved.")).to_be_visible()
        expect(page.get_by_label("Time zone")).to_have_value("Africa/Nairobi")
        # Chosen already: nothing more to offer.
        expect(page.locator("#device-time-zone")).to_be_hidden()
    finally:
        context.close()
    with app.app_context():
        assert db.session.scalar(select(User.time_zone).where(User.id == people.learner.id)) == "Africa/Nairobi"
