"""Reading exports back as a spreadsheet would: the CSV with the csv module, the xlsx with openpyxl."""

import csv
import io

from openpyxl import load_workbook


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    data = body(response)
    assert data.startswith("\ufeff".encode()), "UTF-8 with a BOM, so Excel opens the Chinese"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    wb = load_workbook(io.BytesIO(body(response)))
    return list(wb.worksheets[0].iter_rows(values_only=True))


def xlsx_cells(response) -> list[tuple]:
    """(value, data_type, quote prefix) of every cell below the header."""
    wb = load_workbook(io.BytesIO(body(response)))
    return [(c.value, c.data_type, c.quotePrefix) for r in wb.worksheets[0].iter_rows(min_row=2) for c in r]
