import re
import zlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.learning import certificate_pdf
from app.learning.models import Certificate
from tests.conftest import main_of, sign_in

NAMES = {
    "latin": "Zoë Łukasiewicz-Núñez",
    "cyrillic": "Анна Ковалёва",
    "arabic": "فاطمة الزهراء",
}


def earn_certificate(app, make, course_builder, display_name="Lena Learner", username="lena"):
    course_builder(modules=1)
    user = make.user(username=username, display_name=display_name)
    client = app.test_client()
    sign_in(client, user)
    response = client.post("/courses/torture-prevention/m/m1/complete")
    with app.app_context():
        certificate = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)).one()
        db.session.expunge(certificate)
    assert response.location.endswith(f"/certificates/{certificate.id}")
    return client, certificate


def pdf_text_lines(data: bytes) -> list[str]:
    """The text drawn on each line of an fpdf2 PDF, read back through the font's ToUnicode map."""
    return [text for _height, text in pdf_text_rows(data)]


def pdf_text_rows(data: bytes) -> list[tuple[float, str]]:
    """(height above the page's foot in points, text) of each line of an fpdf2 PDF."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            # decompressobj stops at the end of the zlib data: the line break before endstream is left over.
            streams.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    to_unicode = {}
    for stream in streams:
        for glyph, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", stream):
            to_unicode[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        for block in re.findall(rb"BT(.*?)ET", stream, re.S):
            glyphs = b"".join(re.findall(rb"\(((?:\\.|[^\\)])*)\) ?Tj", block, re.S))
            raw = re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)),
                         glyphs)
            text = "".join(to_unicode.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2))
            if text.strip():
                lines.append((float(re.match(rb"\s*[\d.]+ ([\d.]+) Td", block).group(1)), text))
    return lines


def test_the_printable_certificate_shows_holder_course_date_and_code(app, make, course_builder):
    client, certificate = earn_certificate(app, make, course_builder)
    html = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Lena Learner" in html and "Torture prevention" in html and certificate.code in html
    assert certificate.issued_at.date().isoformat() in html and "Download the PDF" in html
    printed = html.split('<article class="certificate"', 1)[1].split("</article>", 1)[0]
    assert f'<span class="verify-url">http://localhost/verify/{certificate.code}</span>' in printed
    # The instruments by name, not a row of codes (those are on the verification page).
    assert "International standards studied: Convention against Torture" in printed and "CAT-2" not in printed


@pytest.mark.parametrize("script", NAMES)
def test_the_pdf_draws_names_in_any_script_with_the_bundled_font(app, make, course_builder, script):
    client, certificate = earn_certificate(app, make, course_builder, display_name=NAMES[script])
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and b"DejaVuSans" in response.data
    lines = pdf_text_lines(response.data)
    name = NAMES[script]
    # Right-to-left text is stored in visual order.
    assert name in lines or name[::-1] in lines, lines
    assert any(certificate.code in line for line in lines)
    assert "International standards studied: Convention against Torture" in lines, lines


def test_a_long_name_and_many_standards_leave_the_verification_link_clear_on_one_page(app):
    from datetime import datetime
    from types import SimpleNamespace

    certificate = SimpleNamespace(holder_name="Екатерина Александровна Константинопольская-Владимировна " * 2,
                                  course_title="Policing and human rights: the use of force, arrest and detention",
                                  issued_at=datetime(2026, 11, 25, 10, 0))
    instruments = [f"Instrument {number} on the conduct of law enforcement officials" for number in range(1, 81)]
    url = "https://article26.example/verify/ABCDEFGHJKLMNPQR"
    with app.test_request_context():
        data = certificate_pdf.render_certificate(certificate, url, instruments)
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 1
    rows = pdf_text_rows(data)
    link, label = next(row for row in rows if row[1] == url), next(row for row in rows if row[1] == "Verify this certificate at")
    body = [height for height, text in rows if text not in (url, "Verify this certificate at")]
    assert min(body) > label[0] > link[0]  # every line of the certificate stands above the link, none on it
    listed = " ".join(text for _height, text in rows).split("International standards studied: ", 1)[1]
    assert re.search(r"; and \d+ more Verify this certificate at", listed)  # the rest are on /verify
    assert listed.startswith("Instrument 1 on")


def test_without_the_pdf_library_the_page_says_so_and_the_html_certificate_works(app, make, course_builder,
                                                                                 monkeypatch):
    monkeypatch.setattr(certificate_pdf, "pdf_available", lambda: False)
    client, certificate = earn_certificate(app, make, course_builder)
    html = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "PDF download is unavailable on this server" in html and "Lena Learner" in html
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404


def test_the_bundled_font_and_its_licence_ship_with_the_package():
    assert certificate_pdf.FONT_PATH.is_file() and certificate_pdf.pdf_available()
    licence = (certificate_pdf.FONT_PATH.parent / "LICENSE-DejaVu.txt").read_text()
    assert "Permission is hereby granted" in licence


def test_verification_shows_only_name_course_date_and_standards(app, make, course_builder):
    _client, certificate = earn_certificate(app, make, course_builder)
    response = app.test_client().get(f"/verify/{certificate.code}")
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"  # never in a search engine
    html = response.get_data(as_text=True)
    main = main_of(html)
    assert "Lena Learner" in main and "Torture prevention" in main and "CAT-2" in main
    assert certificate.issued_at.date().isoformat() in main
    assert "lena" not in main.replace("Lena Learner", "")  # never the username
    assert "Sign in" not in main and "/certificates/" not in main


def test_the_holder_can_hide_and_show_the_verification_page(app, make, course_builder):
    client, certificate = earn_certificate(app, make, course_builder)
    public = app.test_client()
    assert client.post(f"/certificates/{certificate.id}/visibility", data={"public": "0"}).status_code == 302
    refused = public.get(f"/verify/{certificate.code}")
    assert refused.status_code == 404 and refused.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    unknown = public.get("/verify/no-such-code")
    assert main_of(refused.text) == main_of(unknown.text)  # hidden and unknown read the same
    hidden = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "verification page is hidden" in hidden
    assert "/verify/" not in hidden.split("</article>", 1)[0]  # no printed link that would say "not found"
    client.post(f"/certificates/{certificate.id}/visibility", data={"public": "1"})
    assert public.get(f"/verify/{certificate.code}").status_code == 200


@pytest.mark.parametrize("code", ["unknown", "x" * 65, "%00"])
def test_unknown_codes_are_404(client, code):
    assert client.get(f"/verify/{code}").status_code in (400, 404)


def test_an_unknown_and_a_hidden_code_get_the_same_message_for_a_verifier(app, make, course_builder):
    client, certificate = earn_certificate(app, make, course_builder)
    client.post(f"/certificates/{certificate.id}/visibility", data={"public": "0"})
    verifier = app.test_client()
    hidden, unknown = verifier.get(f"/verify/{certificate.code}"), verifier.get("/verify/unknown-code")
    assert hidden.status_code == unknown.status_code == 404
    assert "No certificate can be verified with this code." in hidden.text
    assert hidden.text.replace(certificate.code, "") == unknown.text.replace("unknown-code", "")


def test_a_module_added_after_the_certificate_is_offered_and_the_certificate_stands(app, make, course_builder):
    from app.catalog.models import Course, Module

    client, certificate = earn_certificate(app, make, course_builder)
    with app.app_context():
        course = db.session.scalars(select(Course)).one()
        db.session.add(Module(course_id=course.id, slug="m2", position=2, filename="02-m2.md", title="Module 2",
                              estimated_minutes=30, standards=[], source="", learner_html="<p>New.</p>",
                              trainer_html="<p>New.</p>", toc=[], quiz=None, question_count=0))
        db.session.commit()
    dashboard = client.get("/learning").text
    completed = dashboard.split('id="completed-title"', 1)[1]
    assert "Torture prevention" in completed and "The course has gained a module since your certificate." in completed
    assert 'href="/courses/torture-prevention/m/m2">Read Module 2</a>' in completed
    course_page = client.get("/courses/torture-prevention").text
    assert "the course has gained modules since. Your certificate stands." in course_page
    assert client.get(f"/verify/{certificate.code}").status_code == 200


def test_the_verification_page_lists_the_standards_in_the_registry_s_order(app, make, course_builder):
    from app.catalog.models import StandardEntry

    _client, certificate = earn_certificate(app, make, course_builder)
    with app.app_context():
        positions = dict(db.session.execute(select(StandardEntry.code, StandardEntry.position)).all())
        cited = sorted(positions, key=positions.get, reverse=True)[:4]  # as modules might cite them: any order
        db.session.get(Certificate, certificate.id).standards = cited
        db.session.commit()
    page = main_of(app.test_client().get(f"/verify/{certificate.code}").text)
    listed = re.findall(r"<li>([A-Z][A-Z0-9-]*)(?: — |</li>)", page)
    assert listed == sorted(cited, key=positions.get) and len(listed) == 4
