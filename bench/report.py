"""One row per figure: value, a baseline measured in the same run, their ratio, the target and whether it is met."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    figure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def print_table(rows: list[Measurement], title: str = "Article 26 benchmarks", *, markdown: bool = False) -> None:
    """Aligned plain text, or (markdown=True) a Markdown table to paste into the README as it is."""
    header = ("figure", "value", "baseline", "ratio", "target", "met")
    lines = [
        (row.figure, f"{_number(row.value)} {row.unit}".strip(),
         f"{_number(row.baseline)} ({row.baseline_label})" if row.baseline is not None else "—",
         _number(row.ratio), row.target or "—", {True: "yes", False: "NO", None: "—"}[row.met])
        for row in rows
    ]
    if markdown:
        print(f"{title}\n")
        for cells in (header, ("---",) * len(header), *lines):
            print("| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |")
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    print(title)
    for cells in (header, tuple("-" * width for width in widths), *lines):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())
