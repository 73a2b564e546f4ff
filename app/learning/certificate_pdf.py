"""Certificate PDFs: fpdf2 (pure Python) with HarfBuzz shaping, so names in any script come out right.

The font ships with the package (app/fonts/DejaVuSans.ttf: Latin, Cyrillic, Greek, Arabic, Hebrew ...). If fpdf2,
uharfbuzz or the font is missing, pdf_available() is False: the certificate page says so, and the printable HTML
certificate still works.
"""

import importlib.util
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

from app.learning.models import Certificate
from app.local_time import local_time

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf"
FONT_FAMILY = "DejaVuSans"


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    return FONT_PATH.is_file() and all(importlib.util.find_spec(name) is not None for name in ("fpdf", "uharfbuzz"))


def render_certificate(certificate: Certificate, verify_url: str, instruments: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_("Certificate of completion"))
    pdf.set_creator("Article 26")
    pdf.set_auto_page_break(False)
    pdf.set_margins(22, 22, 22)  # every line inside the frame drawn 12 mm from the edge
    pdf.add_page()
    pdf.add_font(FONT_FAMILY, fname=str(FONT_PATH))
    pdf.set_text_shaping(True)
    pdf.set_draw_color(31, 78, 121)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)

    def line(text: str, size: float, height: float, colour=(27, 31, 35)) -> None:
        pdf.set_font(FONT_FAMILY, size=size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(w=0, h=height, text=text, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(32)
    line("Article 26", 14, 8, (31, 78, 121))
    line(_("Certificate of completion"), 30, 16)
    pdf.ln(4)
    line(_("This certifies that"), 14, 8, (74, 85, 96))
    line(certificate.holder_name, 28, 16)
    line(_("completed the course"), 14, 8, (74, 85, 96))
    line(certificate.course_title, 20, 11)
    line(_("on %(date)s", date=local_time(certificate.issued_at, "%Y-%m-%d")), 14, 9, (74, 85, 96))
    if instruments:
        pdf.ln(2)
        line(_("International standards studied:") + " " + "; ".join(instruments), 10, 6, (74, 85, 96))
    pdf.set_y(pdf.h - 40)
    line(_("Verify this certificate at"), 10, 6, (74, 85, 96))
    line(verify_url, 10, 6, (31, 78, 121))
    return bytes(pdf.output())
