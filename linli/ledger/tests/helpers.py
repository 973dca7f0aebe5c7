import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from linli.ledger import columns as C


def xlsx(rows, headers=C.HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h, "") for h in headers] if isinstance(row, dict) else row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text, as Excel stores it: "=1+1" stays text here too
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content, name="台账.xlsx"):
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def row(
    name,
    id_number,
    *,
    compound="馨和苑",
    building="1号楼",
    unit="1单元",
    house="101",
    relation="户主",
    phone="",
    tags="",
    tenure="自有",
):
    return {
        C.COMPOUND: compound,
        C.BUILDING: building,
        C.UNIT: unit,
        C.HOUSE: house,
        C.TENURE: tenure,
        C.NAME: name,
        C.RELATION: relation,
        C.ID_NUMBER: id_number,
        C.PHONE: phone,
        C.TAGS: tags,
    }


def damaged(content, keep=0.5, member="xl/worksheets/sheet1.xml") -> bytes:
    """`content` with its sheet's XML cut off after `keep` of it: a zip that opens, a sheet that does not parse."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, data[: int(len(data) * keep)] if info.filename == member else data)
    return out.getvalue()
