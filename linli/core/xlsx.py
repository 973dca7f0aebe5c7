"""Cells of the xlsx files Linli writes (openpyxl write-only sheets).

Text is always a text cell. openpyxl makes any string starting with "=" a formula, so a name
like =HYPERLINK("http://…?"&G2) would send the row away from whoever opens the file; a text
cell is never evaluated. Values starting with a character a spreadsheet reads as the start of a
formula also get Excel's quote prefix (the leading apostrophe), so editing the cell keeps it text.
Numbers (int, Fraction, float) are numeric cells, so a report's figures can be summed; a rate is
a number with a percent format, None (nothing due) an empty text "—".
"""

from fractions import Fraction

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

# = + - @, a tab or a line break, and the full-width forms a Chinese keyboard types
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r", "\n")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def text_cell(ws, value, bold=False):
    cell = WriteOnlyCell(ws, "" if value is None else str(value))
    cell.data_type = "s"
    if is_formula_like(cell.value):
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def text_row(ws, values, bold=False):
    return [text_cell(ws, v, bold=bold) for v in values]


def number_cell(ws, value, percent=False):
    """A numeric cell (never a formula: openpyxl writes numbers as values); a rate as a percent."""
    if value is None:
        return text_cell(ws, "—")
    if isinstance(value, Fraction):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "n"
    if percent:
        cell.number_format = "0.0%"
    return cell


def cells(ws, values):
    """A row of mixed values: numbers numeric, everything else text."""
    return [
        number_cell(ws, v) if isinstance(v, int | float | Fraction) and not isinstance(v, bool) else text_cell(ws, v)
        for v in values
    ]
