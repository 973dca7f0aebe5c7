import io

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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content, name="台账.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def row(name, id_number, *, compound="馨和苑", building="1号楼", unit="1单元", house="101", relation="户主", phone="", tags="", tenure="自有"):
    return {C.COMPOUND: compound, C.BUILDING: building, C.UNIT: unit, C.HOUSE: house, C.TENURE: tenure,
            C.NAME: name, C.RELATION: relation, C.ID_NUMBER: id_number, C.PHONE: phone, C.TAGS: tags}
