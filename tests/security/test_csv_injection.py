"""CSV formula injection beyond the classrooms test of csv_safe: every text a person can enter that reaches the
class report CSV — display names through the profile form and the class-account form, course and module titles
through the editor — with each formula start (= + - @ tab CR), and every cell of the file checked."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.catalog.models import Course
from app.extensions import db
from tests.course_builder import module_text
from tests.security.conftest import signed_in

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_no_cell_of_the_class_report_can_start_a_formula(app, world, payload):
    learner, trainer = signed_in(app, world.people.learner), signed_in(app, world.people.trainer)
    assert learner.post("/account", data={"display_name": payload, "audience": "student",
                                          "language": "en"}).status_code == 302
    assert trainer.post(f"/classes/{world.ours}/accounts", data={
        "username_prefix": "pupil", "display_names": f"{payload}\n{payload} two"}).status_code == 200
    assert trainer.post("/author/new", data={"slug": "csv-course", "title": payload.strip() or "t",
                                             "summary": "Summary", "audiences": "student", "language": "en",
                                             "estimated_minutes": "20"}).status_code == 302
    source = module_text(1, title=json.dumps(payload.strip()), with_quiz=False)  # JSON strings are YAML strings
    assert trainer.post("/author/csv-course/modules/new", data={"slug": "csv-module", "source": source,
                                                                "save": "1"}).status_code == 302
    with app.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.slug == "csv-course"))
    assert trainer.post(f"/classes/{world.ours}/assignments", data={"target": f"course:{course_id}"}
                        ).status_code == 302

    response = trainer.get(f"/classes/{world.ours}/report.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    stripped = payload.strip()
    assert any(cell == "'" + stripped or cell == stripped for cell in cells), "the payload reached the CSV"
    assert any(stripped in cell for cell in rows[0]), "the module title is a column"
    assert sum(cell.startswith("'" + stripped[0]) for cell in cells) >= 3
