"""The reports as xlsx: figures as numeric cells (rates as numbers with a percent format), every
text as a text cell neutralised against formulas (core.xlsx)."""

import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from linli.core.xlsx import cells, number_cell, text_cell, text_row

from .content import Periodic

TABLE_FIGURES = (
    ("total", gettext_lazy("Number of requests")),
    ("handled", gettext_lazy("Handled")),
    ("overdue", gettext_lazy("Overdue")),
    ("response_rate", gettext_lazy("Response rate")),
    ("resolution_rate", gettext_lazy("Resolution rate")),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate")),
    ("on_time_rate", gettext_lazy("On-time closure rate")),
)


def _save(wb) -> bytes:
    with tempfile.TemporaryFile() as f:
        wb.save(f)
        f.seek(0)
        return f.read()


def _widths(ws, widths):
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _value(ws, key, value):
    return number_cell(ws, value, percent=key.endswith("_rate"))


def _table(wb, title, first, rows):
    ws = wb.create_sheet(title)
    _widths(ws, (28, 10, 10, 10, 12, 12, 12, 14))
    ws.append(text_row(ws, [first, *(str(label) for _k, label in TABLE_FIGURES)], bold=True))
    for row in rows:
        ws.append([text_cell(ws, row["label"]), *(_value(ws, k, row[k]) for k, _l in TABLE_FIGURES)])


def list_headers():
    return [
        _("No."),
        pgettext("ledger", "Number"),
        pgettext("ledger", "Problem"),
        pgettext("ledger", "Location"),
        pgettext("ledger", "Category"),
        pgettext("ledger", "Reported at"),
        _("Responsible unit"),
        pgettext("ledger", "Time limit"),
        pgettext("ledger", "State"),
        pgettext("ledger", "Overdue"),
        pgettext("ledger", "Remarks"),
    ]


def _list(ws, rows):
    _widths(ws, (6, 16, 40, 28, 14, 17, 18, 17, 12, 8, 20))
    ws.append(text_row(ws, list_headers(), bold=True))
    for i, r in enumerate(rows, start=1):
        ws.append(
            [
                number_cell(ws, i),
                *cells(
                    ws,
                    [
                        r.number,
                        r.problem,
                        r.where,
                        r.category,
                        f"{r.reported:%Y-%m-%d %H:%M}",
                        r.handler,
                        f"{r.deadline:%Y-%m-%d %H:%M}",
                        r.state,
                        _("Yes") if r.overdue else _("No"),
                        r.note,
                    ],
                ),
            ]
        )


def periodic(report: Periodic) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Summary"))
    _widths(ws, (24, 14, 14, 14, 14))
    ws.append(text_row(ws, [report.place.unit, f"{report.period.title} {report.period.label}"], bold=True))
    ws.append(text_row(ws, [report.period.number_text]))
    ws.append([])
    headers = [_("Figure"), _("This period"), _("Previous period"), _("Change"), _("Change %")]
    ws.append(text_row(ws, headers, bold=True))
    for c in report.changes:
        percent = c["rate"]
        ws.append(
            [
                text_cell(ws, c["label"]),
                number_cell(ws, c["current"], percent),
                number_cell(ws, c["previous"], percent),
                number_cell(ws, c["diff"], percent),
                number_cell(ws, c["relative"], True),
            ]
        )
    ws.append([])
    hours = report.hours
    ws.append([text_cell(ws, _("Average handling time (hours)")), number_cell(ws, hours["average"])])
    ws.append([text_cell(ws, _("90% handled within (hours)")), number_cell(ws, hours["p90"])])
    _table(wb, _("By category"), _("Category"), report.tables["category"])
    _table(wb, _("By grid"), _("Grid"), report.tables["grid"])
    _table(wb, _("By handling organisation"), _("Handling organisation"), report.tables["org"])
    _table(wb, _("By month"), _("Month"), report.tables["month"])
    _list(wb.create_sheet(_("Overdue")), report.overdue)
    _list(wb.create_sheet(_("Escalated and assigned")), report.escalated)
    ws = wb.create_sheet(_("Topics decided"))
    ws.append(text_row(ws, [_("Topic"), _("Community"), _("Compound"), _("Completed at")], bold=True))
    for t in report.topics:
        compound = t.compound.name if t.compound_id else ""
        ws.append(text_row(ws, [t.title, t.community.name, compound, f"{t.done_at:%Y-%m-%d}"]))
    ws = wb.create_sheet(_("Owners' votes"))
    ws.append(text_row(ws, [_("Vote"), _("Community"), _("Compound"), _("Closed at")], bold=True))
    for v in report.votes:
        ws.append(text_row(ws, [v.title, v.community.name, v.compound.name, f"{v.closed_at:%Y-%m-%d}"]))
    if report.cobuilding is not None:
        _cobuilding(wb.create_sheet(_("Party building and co-building")), report.cobuilding)
        _estate(wb.create_sheet(_("Maintenance funds and facilities")), report.cobuilding)
    return _save(wb)


def _cobuilding(ws, f):
    """One row per sub-district or community and the total: the figures, projects by state, and
    the projects' money by source in yuan (numbers, two decimals)."""
    headers = [str(label) for _k, label, _e in f.columns]
    headers += [str(label) for _v, label in f.project_states]
    headers += [f"{label}（{_('yuan')}）" for _v, label in f.sources] + [f"{_('Total')}（{_('yuan')}）"]
    ws.append(text_row(ws, ["", *headers], bold=True))
    rows = f.rows + ([f.total] if len(f.rows) > 1 else [])
    for row in rows:
        money = [*row.money_cells, row.money_total]
        ws.append(
            [
                text_cell(ws, row.label),
                *(number_cell(ws, n) for n in row.cells + row.project_cells),
                *(_yuan_cell(ws, fen) for fen in money),
            ]
        )


def _estate(ws, f):
    headers = [str(label) for _k, label, _e in f.estate_columns + f.estate_money]
    ws.append(text_row(ws, ["", *headers], bold=True))
    rows = f.estate_rows
    for row in rows + ([f.total] if len(rows) > 1 else []):
        counts = (number_cell(ws, n) for n in row.estate_cells)
        ws.append([text_cell(ws, row.label), *counts, *(_yuan_cell(ws, fen) for fen in row.estate_money_cells)])


def _yuan_cell(ws, fen):
    cell = number_cell(ws, fen / 100)
    cell.number_format = "#,##0.00"
    return cell


def problems(place, rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Problem list"))
    ws.append(text_row(ws, [f"{place.unit} {_('Problem list and ledger')}"], bold=True))
    _list(ws, rows)
    return _save(wb)
