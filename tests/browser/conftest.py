"""Browser tests (fixtures in tests/browser/fixtures.py): everything in this folder is marked `browser` and posts
real forms with CSRF on."""

from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def app_overrides() -> dict:
    # A real browser posts real forms: CSRF is on, as in production.
    return {"WTF_CSRF_ENABLED": True}
