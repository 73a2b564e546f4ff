"""The learner's pages run the same number of SQL statements for a 3-module and a 30-module course."""

import pytest

from tests.conftest import counting_queries, empty_all_tables, sign_in


def statements_for(app, client, url: str) -> int:
    with counting_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def learner_with_progress(app, learner, course_builder, modules: int):
    course_builder(slug="course", modules=modules, quiz_modules=tuple(range(2, modules + 1, 3)))
    course_builder(slug="other-course", modules=modules)
    client = app.test_client()
    sign_in(client, learner)
    for number in (1, 3):
        client.post(f"/courses/course/m/m{number}/complete")
    client.post("/courses/other-course/m/m1/complete")
    client.get("/courses/course/m/m2")  # seen now: the next visit writes nothing
    return client


@pytest.mark.parametrize("url", ["/courses", "/courses/course", "/courses/course/m/m2", "/learning", "/standards"])
def test_page_query_count_does_not_grow_with_the_course(app, make, course_builder, url):
    counts = {}
    for modules in (3, 30):
        learner = make.user(username=f"learner{modules}")
        client = learner_with_progress(app, learner, course_builder, modules)
        counts[modules] = statements_for(app, client, url)
        with app.app_context():
            empty_all_tables()
    assert counts[3] == counts[30], counts
    assert counts[3] <= 8, counts  # and small: one per kind of thing shown
