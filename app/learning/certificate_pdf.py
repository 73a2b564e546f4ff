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
from app.local_time import certificate_date

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf"
FONT_FAMILY = "DejaVuSans"


@lru_cache(maxsize=1)
def pdf_available() -> bool:
    return FONT_PATH.is_file() and all(importlib.util.find_spec(name) is not None for name in ("fpdf", "uharfbuzz"))


FOOTER_HEIGHT = 40  # mm from the page's foot: the verification link's two lines, inside the frame
SCALES = (1.0, 0.9, 0.8, 0.7)  # smaller type, tried in turn, for a long name, title or list of standards


def render_certificate(certificate: Certificate, verify_url: str, instruments: list[str]) -> bytes:
    """The certificate on one A4 page. What does not fit above the verification link is set smaller; at the
    smallest size, the list of standards is cut short ("and 3 more": the verification page lists them all)."""
    for scale in SCALES[:-1]:
        pdf, fits = _draw(certificate, verify_url, instruments, len(instruments), scale)
        if fits:
            return _output(pdf)
        _close_fonts(pdf)
    best, low, high = None, 0, len(instruments)  # the most standards that fit: more never fit where fewer do not
    while low <= high:
        middle = (low + high) // 2
        pdf, fits = _draw(certificate, verify_url, instruments, middle, SCALES[-1])
        if fits:
            _close_fonts(best)
            best, low = pdf, middle + 1
        else:
            _close_fonts(pdf)
            high = middle - 1
    if best is None:  # a name too long to fit even alone: drawn as it comes
        best, _fits = _draw(certificate, verify_url, instruments, 0, SCALES[-1])
    return _output(best)


def _output(pdf) -> bytes:
    try:
        return bytes(pdf.output())
    finally:
        _close_fonts(pdf)


def _close_fonts(pdf) -> None:
    for font in (pdf.fonts.values() if pdf is not None else ()):  # fontTools keeps the font file open until closed
        if getattr(font, "ttfont", None) is not None:
            font.ttfont.close()


def _draw(certificate: Certificate, verify_url: str, instruments: list[str], shown: int, scale: float):
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
        pdf.set_font(FONT_FAMILY, size=size * scale)
        pdf.set_text_color(*colour)
        pdf.multi_cell(w=0, h=height * scale, text=text, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(32)
    line("Article 26", 14, 8, (31, 78, 121))
    line(_("Certificate of completion"), 30, 16)
    pdf.ln(4 * scale)
    line(_("This certifies that"), 14, 8, (74, 85, 96))
    line(certificate.holder_name, 28, 16)
    line(_("completed the course"), 14, 8, (74, 85, 96))
    line(certificate.course_title, 20, 11)
    line(_("on %(date)s", date=certificate_date(certificate.issued_at)), 14, 9, (74, 85, 96))
    if instruments:
        listed = "; ".join(instruments[:shown])
        if shown < len(instruments):
            more = _("and %(count)d more", count=len(instruments) - shown)
            listed = f"{listed}; {more}" if listed else more
        pdf.ln(2 * scale)
        line(_("International standards studied:") + " " + listed, 10, 6, (74, 85, 96))
    fits = pdf.get_y() <= pdf.h - FOOTER_HEIGHT
    pdf.set_y(pdf.h - FOOTER_HEIGHT)
    line(_("Verify this certificate at"), 10 / scale, 6 / scale, (74, 85, 96))  # the link keeps its size
    line(verify_url, 10 / scale, 6 / scale, (31, 78, 121))
    return pdf, fits
