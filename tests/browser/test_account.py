"""The account page in a real browser: choosing one's time zone, offered from the device's own; and the language
every page offers at its foot."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.conftest import translated


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


def test_a_visitor_changes_the_language_at_the_foot_of_the_page_and_stays_on_it(browser, live_server,
                                                                                axe_violations):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="en-GB")
    page = context.new_page()
    try:
        page.goto("/courses?language=en")
        page.get_by_label("Site language").select_option("fr")
        page.get_by_role("button", name="Change", exact=True).click()
        page.wait_for_url("**/courses?language=en")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("link", name=translated("fr", "Privacy"))).to_be_visible()
        page.get_by_label(translated("fr", "Site language")).select_option("ar")
        page.get_by_role("button", name=translated("fr", "Change"), exact=True).click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_label(translated("ar", "Site language"))).to_have_value("ar")
        assert axe_violations(page) == []
    finally:
        context.close()
