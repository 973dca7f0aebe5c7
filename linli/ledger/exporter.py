"""The xlsx files the ledger writes: the template, the filtered residents list (scoped and
masked) and the import's error file.

Every cell is written as a text cell by core.xlsx (why: its docstring).
"""

import contextlib
import io
import tempfile

from openpyxl import Workbook
from openpyxl.styles import Font

from linli.core.exports import Exported
from linli.core.masking import mask_id_number, mask_phone
from linli.core.xlsx import text_row

from . import columns as C


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET
    ws.append(text_row(ws, C.HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKL", (14, 8, 8, 8, 10, 10, 10, 22, 16, 18, 8, 10), strict=True):
        ws.column_dimensions[col].width = width
    help_ws = wb.create_sheet("填写说明")
    for line in (
        ["每行一位居民；同一房屋（小区+楼栋+单元+门牌号）的居民为一户。"],
        ["必填：小区、楼栋、单元、门牌号、姓名、身份证号。小区、楼栋、单元、门牌号须与系统中的名称一致。"],
        ["自有或租住：自有 / 租住（以户主所在行为准）。"],
        ["与户主关系：" + "、".join(C.RELATION_LABELS.values()) + "；每户只能有一位户主。"],
        ["身份证号：18 位，校验码须正确；已在台账中的身份证号将更新该居民，不会重复建档。"],
        ["联系电话：11 位手机号或 0951-1234567 格式的固定电话；留空则保留原有电话。"],
        ["标签：多个标签用顿号或逗号分隔，须是系统中已有的标签。"],
        [
            "产权人：填“是”表示该居民是本房屋的产权人（登记到产权人名册，用于业主表决计票），"
            "填“否”表示不再是；留空则不改变名册。产权份额：按份共有时填百分比（如 50），"
            "同一房屋各产权人的份额合计不得超过 100。"
        ],
        ["整份文件全部校验通过才会导入；任何一行有误，都不会写入任何数据。"],
        [],
        ["示例", *C.HEADERS],
        [
            "",
            "馨和苑",
            "1号楼",
            "1单元",
            "101",
            "自有",
            "张三",
            "户主",
            "11010519491231002X",
            "13800001234",
            "党员",
            "是",
            "50",
        ],
    ):
        help_ws.append(text_row(help_ws, line))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_workbook(persons, shown_tags, out) -> Exported:
    """Write the residents to the file `out`. persons: an iterable already restricted to the
    user's scope, with places selected and tags prefetched; shown_tags(person): the tags the user
    may see of that person (people.privacy.shown_tags)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(C.SHEET)
    ws.append(text_row(ws, C.EXPORT_HEADERS))
    done = Exported()
    for p in persons:
        house = p.household.house
        ws.append(
            text_row(
                ws,
                [
                    p.grid.name,
                    house.unit.building.compound.name,
                    house.unit.building.name,
                    house.unit.name,
                    house.number,
                    C.TENURE_LABELS.get(p.household.tenure, ""),
                    p.name,
                    C.RELATION_LABELS.get(p.relation, ""),
                    mask_id_number(p.id_number),
                    mask_phone(p.phone),
                    "、".join(t.name for t in shown_tags(p)),
                ],
            )
        )
        done.add(p)
    wb.save(out)
    return done


class ErrorFile:
    """The failing rows of an import as the user sent them, with the reasons, added as they are
    found: openpyxl's write-only sheet keeps them in a temporary file, not in memory. The
    workbook is made at the first failing row; read() gives the xlsx (b"" if no row failed)."""

    def __init__(self):
        self.wb = self.ws = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.wb is not None:  # unread after an error: let openpyxl remove its temporary file
            with contextlib.suppress(Exception):
                self.read()

    def add(self, values: dict, reasons: str):
        if self.wb is None:
            self.wb = Workbook(write_only=True)
            self.ws = self.wb.create_sheet(C.SHEET)
            self.ws.append(text_row(self.ws, [*C.HEADERS, C.ERROR_HEADER]))
        self.ws.append(text_row(self.ws, [*(values.get(h, "") for h in C.HEADERS), reasons]))

    def read(self) -> bytes:
        if self.wb is None:
            return b""
        wb, self.wb = self.wb, None
        with tempfile.TemporaryFile() as f:
            wb.save(f)
            f.seek(0)
            return f.read()
