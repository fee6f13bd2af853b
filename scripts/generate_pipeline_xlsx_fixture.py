#!/usr/bin/env python3
"""Writes pipelines/tests/debtors-xlsx/input.xlsx, the fixture of pipelines/debtors-xlsx.yaml.

Python 3 standard library only: an .xlsx is a zip of XML parts, written here by hand so the
workbook holds exactly the cells the fixture needs (numbers, date cells, text, booleans, an
error cell, a cell beyond the header, an empty row) and the bytes are the same on every run.

    python3 scripts/generate_pipeline_xlsx_fixture.py

The expected outcome is in pipelines/tests/debtors-xlsx/expected.yaml; change both together.
"""
import datetime as dt
import os
import zipfile
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "pipelines", "tests", "debtors-xlsx", "input.xlsx")

HEADER = ["Customer ID", "Account holder", "IBAN", "BIC", "Amount", "Currency", "Mandate date",
          "Due date", "Paperless", "E-mail"]


class Date:
    """A date cell: a serial number with a date number format, as Excel stores it."""
    def __init__(self, y, m, d):
        self.serial = (dt.date(y, m, d) - dt.date(1899, 12, 30)).days


class Error:
    """An error cell such as #N/A."""
    def __init__(self, text):
        self.text = text


D = Date
# Sheet rows from row 2 on; None is an empty row. Comments give what the fixture expects.
ROWS = [
    ["X-01", "Anna Schmidt", "DE33500105170005700000", "INGDDEFFXXX", 12.5, "EUR", D(2024, 3, 1), D(2024, 4, 1), True, "anna.schmidt@example.com"],
    ["X-02", "Jürgen Weiß", "DE06500105170005700001", None, 1234.56, "EUR", D(2023, 11, 15), D(2024, 4, 1), False, "j.weiss@example.com"],
    ["X-03", "Lena Vogel", "DE76500105170005700002", None, "1.234,56", None, D(2022, 6, 30), D(2024, 4, 1), None, None],      # amount typed as text
    ["X-04", "Karl Otto", "DE49500105170005700003", None, Error("#N/A"), "EUR", D(2024, 1, 2), D(2024, 4, 1), True, None],    # xlsx.error_cell
    ["X-05", "Uwe Lenz", "DE22500105170005700004", None, 20, "EUR", D(2024, 1, 2), D(2024, 4, 1), True, None, "stray"],       # xlsx.ragged
    None,                                                                                                                         # row 7: empty, skipped
    ["X-06", "Sinéad Ryan", "IE19AIBK93115205700000", "AIBKIE2D", 45, "EUR", "15.01.2024", D(2024, 4, 2), "yes", None],        # row 8: dates as text
    ["X-07", "Ida Marx", "DE92500105170005700006", None, 9.99, "EUR", D(2024, 1, 2), D(2024, 4, 2), True, None],              # iban.checksum
    ["X-08", "Jan de Vries", "NL61INGB0005700000", "INGBNL2A", 0.1 + 0.2, "EUR", D(2024, 1, 2), D(2024, 4, 2), False, None],  # amount.format: float noise
    ["X-09", "Max Roth", "DE65500105170005700006", None, 100000, "EUR", D(2024, 1, 2), D(2024, 4, 2), False, None],           # amount.max
    ["X-10", "Müller, Anna", "AT101904300005700000", None, 29.99, "EUR", D(2024, 2, 29), D(2024, 4, 3), True, "anna.mueller@example.at"],
    ["X-11", "Eva Lang", "DE38500105170005700007", None, 15, "EUR", D(2024, 1, 2), "next week", True, None],                 # due_date.type
    ["X-12", "Tim Krause", "DE11500105170005700008", None, 15, "EUR", D(2024, 1, 2), D(2024, 4, 3), "maybe", None],          # paperless.type
    ["X-13", "Petra Horn", "BE39539570000019", None, 7.5, "EUR", D(2024, 1, 2), D(2024, 4, 3), "FALSE", None],
    ["X-14", "Klara Brandt \U0001F642", "DE79500105170005750000", None, 12, "EUR", D(2024, 1, 2), D(2024, 4, 3), 1, None],  # name.normalised
]


def column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(ref, value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{repr(value) if isinstance(value, float) else value}</v></c>'
    if isinstance(value, Date):
        return f'<c r="{ref}" s="1"><v>{value.serial}</v></c>'
    if isinstance(value, Error):
        return f'<c r="{ref}" t="e"><v>{escape(value.text)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def sheet(rows):
    lines = []
    for number, row in enumerate(rows, start=1):
        if row is None:
            continue
        cells = "".join(cell(f"{column_letter(i)}{number}", value) for i, value in enumerate(row))
        lines.append(f'<row r="{number}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(lines)}</sheetData></worksheet>')


PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Read me" sheetId="1" r:id="rId1"/><sheet name="Debtors" sheetId="2" r:id="rId2"/></sheets>'
        '</workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '</Relationships>'),
    # Style 1 is built-in number format 14 (a short date), which makes a number a date cell.
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs>'
        '</styleSheet>'),
    "xl/worksheets/sheet1.xml": sheet([["Debtors for March; one row per mandate, amounts in EUR."]]),
    "xl/worksheets/sheet2.xml": sheet([HEADER] + ROWS),
}


def main():
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with zipfile.ZipFile(OUTPUT, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 3, 1, 0, 0, 0))  # fixed: same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    print(f"wrote {os.path.relpath(OUTPUT, ROOT)} ({os.path.getsize(OUTPUT)} bytes)")


if __name__ == "__main__":
    main()
