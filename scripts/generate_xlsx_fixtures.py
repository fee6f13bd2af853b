#!/usr/bin/env python3
"""Writes the XLSX fixtures under Samples/xlsx/ with real writers, and next to each the
cell text `sluice inspect --format jsonl` must print (`*.expected.jsonl`).

Expected values are derived here from the Python data, never from Sluice's output.
Writers: xlsxwriter (normal and constant_memory), openpyxl (also a 1904 workbook), pandas,
LibreOffice (soffice --convert-to xlsx from a flat ODS), libxlsxwriter from C (see
scripts/xlsx_fixture_libxlsxwriter.c), plus hand-made parts for edge cases and hostile files.

    pip install xlsxwriter openpyxl pandas
    python3 scripts/generate_xlsx_fixtures.py
"""
import datetime as dt
import decimal
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Samples", "xlsx")
HOSTILE = os.path.join(OUT, "hostile")


def shortest(x):
    """Shortest round-trip text of a float, without exponent and without '.0'."""
    if x == 0:
        return "0"
    text = format(decimal.Decimal(repr(float(x))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def xlsxwriter_number(x):
    # xlsxwriter stores numbers with "%.16G".
    return shortest(float("%.16G" % x))


def write_expected(name, rows):
    with open(os.path.join(OUT, name + ".expected.jsonl"), "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


HEADER = ["id", "name", "amount", "due_date", "created_at", "active", "ratio", "note"]
NAMES = ["Anna Müller", "Jean, Dupont", 'Say "hi"', "Two\nlines", "Zoë"]
AMOUNTS = [10, 1234.56, -42.5, 0.1 + 0.2, 1e20]
DATES = [dt.date(2024, 1, 15), dt.date(1999, 12, 31), dt.date(2000, 2, 29), dt.date(2024, 3, 1), dt.date(1970, 1, 1)]
STAMPS = [dt.datetime(2024, 1, 15, 8, 30, 0), dt.datetime(2023, 12, 31, 23, 59, 59), dt.datetime(2000, 1, 1, 0, 0, 0),
          dt.datetime(2024, 6, 30, 12, 0, 1), dt.datetime(1999, 1, 2, 3, 4, 5)]
ACTIVE = [True, False, True, True, False]
RATIOS = [0.5, 3, 0.001, -0.25, 7.125]


def data_rows(number):
    rows = [HEADER]
    for i in range(5):
        rows.append([str(i + 1), NAMES[i], number(AMOUNTS[i]), DATES[i].isoformat(), STAMPS[i].isoformat(),
                     "TRUE" if ACTIVE[i] else "FALSE", number(RATIOS[i]), "" if i % 2 else "note %d" % (i + 1)])
    return rows


def xlsxwriter_normal():
    import xlsxwriter
    path = os.path.join(OUT, "xlsxwriter-normal.xlsx")
    wb = xlsxwriter.Workbook(path)
    hidden = wb.add_worksheet("Hidden")
    data = wb.add_worksheet("Data")
    extra = wb.add_worksheet("Second")
    hidden.write_row(0, 0, ["secret", "stuff"])
    hidden.hide()
    data.activate()
    data.set_first_sheet()
    date_fmt = wb.add_format({"num_format": "dd.mm.yyyy"})
    stamp_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    bold = wb.add_format({"bold": True, "italic": True})
    data.write_row(0, 0, HEADER)
    for i in range(5):
        r = i + 1
        data.write_number(r, 0, i + 1)
        if i == 0:
            # A rich-text shared string: its runs joined are the cell text.
            data.write_rich_string(r, 1, "Anna ", bold, "Müller")
        else:
            data.write_string(r, 1, NAMES[i])
        data.write_number(r, 2, AMOUNTS[i])
        data.write_datetime(r, 3, dt.datetime.combine(DATES[i], dt.time()), date_fmt)
        data.write_datetime(r, 4, STAMPS[i], stamp_fmt)
        data.write_boolean(r, 5, ACTIVE[i])
        data.write_formula(r, 6, "=%r*1" % RATIOS[i], None, RATIOS[i])
        if i % 2 == 0:
            data.write_string(r, 7, "note %d" % (i + 1))
    expected = data_rows(xlsxwriter_number)
    # Sparse row 9 (rows 7-8 empty): only columns B and E.
    data.write_string(8, 1, "sparse")
    data.write_number(8, 4, 42)
    expected.append(["", "sparse", "", "", "42", "", "", ""])
    # Excel's 1900 leap-year bug: serials 59, 60, 61.
    plain_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for k, serial in enumerate([59, 60, 61]):
        data.write_number(9 + k, 0, 100 + k)
        data.write_number(9 + k, 3, serial, plain_date)
        expected.append([str(100 + k), "", "", ["1900-02-28", "1900-02-29", "1900-03-01"][k], "", "", "", ""])
    # Trailing empty rows with formatting only are skipped.
    data.set_row(20, None, bold)
    extra.write_row(0, 0, ["code", "value"])
    extra.write_row(1, 0, ["A", 1])
    extra.write_row(2, 0, ["B", 2.5])
    wb.close()
    write_expected("xlsxwriter-normal", expected)
    write_expected("xlsxwriter-normal.Second", [["code", "value"], ["A", "1"], ["B", "2.5"]])


def xlsxwriter_constant_memory():
    import xlsxwriter
    path = os.path.join(OUT, "xlsxwriter-constant-memory.xlsx")
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Inline")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    ws.write_row(0, 0, HEADER)
    for i in range(5):
        r = i + 1
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, NAMES[i])
        ws.write_number(r, 2, AMOUNTS[i])
        ws.write_datetime(r, 3, dt.datetime.combine(DATES[i], dt.time()), date_fmt)
        ws.write_datetime(r, 4, STAMPS[i], stamp_fmt)
        ws.write_boolean(r, 5, ACTIVE[i])
        ws.write_number(r, 6, RATIOS[i])
        if i % 2 == 0:
            ws.write_string(r, 7, "note %d" % (i + 1))
    wb.close()
    write_expected("xlsxwriter-constant-memory", data_rows(xlsxwriter_number))


def openpyxl_files():
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    for name, epoch in [("openpyxl", None), ("openpyxl-1904", CALENDAR_MAC_1904)]:
        wb = openpyxl.Workbook()
        if epoch is not None:
            wb.epoch = epoch
        ws = wb.active
        ws.title = "Debtors"
        ws.append(HEADER)
        for i in range(5):
            note = None if i % 2 else "note %d" % (i + 1)
            ws.append([i + 1, NAMES[i], AMOUNTS[i], DATES[i], STAMPS[i], ACTIVE[i], RATIOS[i], note])
        for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
            row[0].number_format = "yyyy-mm-dd"
        # openpyxl writes formulas without a cached value: the cell reads as empty.
        ws["I1"] = "formula"
        ws["I2"] = "=A2*2"
        ws2 = wb.create_sheet("Other")
        ws2.append(["k", "v"])
        ws2.append(["x", 1.5])
        path = os.path.join(OUT, name + ".xlsx")
        wb.save(path)
        # openpyxl stores floats with 16 significant digits too (0.1 + 0.2 is stored as 0.3).
        rows = [r + [""] for r in data_rows(xlsxwriter_number)]
        rows[0][-1] = "formula"
        write_expected(name, rows)
        write_expected(name + ".Other", [["k", "v"], ["x", "1.5"]])


def pandas_file():
    import pandas as pd
    frame = pd.DataFrame({
        "id": [1, 2, 3],
        "name": ["Anna", None, "Carl"],
        "amount": [10.0, 20.5, float("nan")],
        "due": pd.to_datetime(["2024-01-15", "2024-02-29", "2023-12-31"]),
        "paid": [True, False, True],
    })
    path = os.path.join(OUT, "pandas.xlsx")
    frame.to_excel(path, index=False, sheet_name="Frame", engine="xlsxwriter")
    # pandas writes datetime64 columns with the format "yyyy-mm-dd hh:mm:ss".
    write_expected("pandas", [
        ["id", "name", "amount", "due", "paid"],
        ["1", "Anna", "10", "2024-01-15T00:00:00", "TRUE"],
        ["2", "", "20.5", "2024-02-29T00:00:00", "FALSE"],
        ["3", "Carl", "", "2023-12-31T00:00:00", "TRUE"],
    ])


FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
 <office:automatic-styles>
  <number:date-style style:name="N1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
  <number:date-style style:name="N2"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:date-style>
  <number:boolean-style style:name="N3"><number:boolean/></number:boolean-style>
  <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
  <style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
  <style:style style:name="ce3" style:family="table-cell" style:data-style-name="N3"/>
 </office:automatic-styles>
 <office:body><office:spreadsheet>
  <table:table table:name="Sheet1">
   <table:table-row>
    <table:table-cell office:value-type="string"><text:p>id</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>name</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>amount</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>due</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>stamp</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>ok</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>double</text:p></table:table-cell>
   </table:table-row>
   <table:table-row>
    <table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>
    <table:table-cell office:value-type="string"><text:p>Ångström, A.</text:p></table:table-cell>
    <table:table-cell office:value-type="float" office:value="1234.56"><text:p>1234.56</text:p></table:table-cell>
    <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="2024-01-15"><text:p>2024-01-15</text:p></table:table-cell>
    <table:table-cell table:style-name="ce2" office:value-type="date" office:date-value="2024-01-15T08:30:00"><text:p>15.01.2024 08:30:00</text:p></table:table-cell>
    <table:table-cell table:style-name="ce3" office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>
    <table:table-cell table:formula="of:=[.C2]*2" office:value-type="float" office:value="2469.12"><text:p>2469.12</text:p></table:table-cell>
   </table:table-row>
   <table:table-row>
    <table:table-cell office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell>
    <table:table-cell/>
    <table:table-cell office:value-type="float" office:value="-0.5"><text:p>-0.5</text:p></table:table-cell>
    <table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="1900-03-01"><text:p>1900-03-01</text:p></table:table-cell>
    <table:table-cell/>
    <table:table-cell table:style-name="ce3" office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>
    <table:table-cell table:formula="of:=[.C3]*2" office:value-type="float" office:value="-1"><text:p>-1</text:p></table:table-cell>
   </table:table-row>
  </table:table>
  <table:table table:name="Extra">
   <table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>
   <table:table-row><table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell></table:table-row>
  </table:table>
 </office:spreadsheet></office:body>
</office:document>
"""


def libreoffice_file():
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: skipping the LibreOffice fixture", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "libreoffice.fods")
        with open(source, "w", encoding="utf-8") as out:
            out.write(FODS)
        subprocess.run([soffice, "--headless", "-env:UserInstallation=file://" + tmp + "/profile",
                        "--convert-to", "xlsx", "--outdir", tmp, source], check=True, stdout=subprocess.DEVNULL)
        shutil.copy(os.path.join(tmp, "libreoffice.xlsx"), os.path.join(OUT, "libreoffice.xlsx"))
    write_expected("libreoffice", [
        ["id", "name", "amount", "due", "stamp", "ok", "double"],
        ["1", "Ångström, A.", "1234.56", "2024-01-15", "2024-01-15T08:30:00", "TRUE", "2469.12"],
        ["2", "", "-0.5", "1900-03-01", "", "FALSE", "-1"],
    ])


def libxlsxwriter_file():
    source = os.path.join(ROOT, "scripts", "xlsx_fixture_libxlsxwriter.c")
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "fixture")
        subprocess.run(["cc", "-O1", "-o", binary, source, "-lxlsxwriter"], check=True)
        subprocess.run([binary, os.path.join(OUT, "libxlsxwriter.xlsx")], check=True)
    write_expected("libxlsxwriter", [
        ["id", "name", "amount", "due", "active", "total"],
        ["1", "Anna", "10", "2024-01-15", "TRUE", "20"],
        ["2", "Bob, Jr.", "0.1", "1999-12-31", "FALSE", "0.2"],
        ["3", "", "-1234.56", "2000-02-29", "TRUE", "-2469.12"],
    ])


# --- Hand-made packages: edge cases and hostile files ------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def package(path, sheet_xml, shared_strings=None, styles=None, extra=(), date1904=False, compress=zipfile.ZIP_DEFLATED):
    rels = ['<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>']
    if shared_strings is not None:
        rels.append('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        rels.append('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>')
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook %s>%s<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
                % (NS, '<workbookPr date1904="1"/>' if date1904 else ""))
    with zipfile.ZipFile(path, "w", compress) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>' % "".join(rels))
        if isinstance(sheet_xml, bytes) or isinstance(sheet_xml, str):
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
        for name, data in extra:
            z.writestr(zipfile.ZipInfo(name), data)


def sheet(rows_xml):
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (NS, rows_xml)


def edge_cases():
    styles = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet %s><numFmts count="2"><numFmt numFmtId="164" formatCode="dd.mm.yyyy"/>'
              '<numFmt numFmtId="165" formatCode="[$-409]d/m/yy\\ h:mm;@"/></numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/>'
              '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/></cellXfs></styleSheet>' % NS)
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst %s count="3" uniqueCount="3"><si><t>head</t></si>'
               '<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>text</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>'
               '<si><t>line_x000D__x000A_break</t></si></sst>' % NS)
    rows = (
        '<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>inline</t></is></c><c r="D2" t="inlineStr"><is><t>date</t></is></c><c r="E2" t="inlineStr"><is><t>when</t></is></c></row>'
        '<row r="4"><c r="A4"><v>1</v></c><c r="B4" t="s"><v>1</v></c><c r="C4" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c><c r="D4" s="1"><v>45306</v></c><c r="E4" s="3"><v>45306.5</v></c></row>'
        '<row r="5"><c r="A5" s="4"><v>1.0</v></c><c r="B5" t="s"><v>2</v></c><c r="D5" s="2"><v>36585</v></c><c r="E5" t="d" s="3"><v>2024-01-15T08:30:00</v></c></row>'
        '<row r="6"><c r="A6"><v>2.9999999999999998E-2</v></c><c r="B6" t="str"><f>A1</f><v>formula text</v></c><c r="C6" t="b"><v>1</v></c></row>'
        '<row r="7"><c r="A7"><v>7</v></c><c r="C7" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        '<row r="8"><c r="A8"><v>8</v></c><c r="F8"><v>99</v></c></row>'
        '<row r="9"><c r="A9"><v>9</v></c><c><v>10</v></c><c><v>11</v></c></row>'
        '<row r="10" ht="20" customHeight="1"/>'
        '<row r="12"><c r="A12"><v>-0.5</v></c></row>'
        '<row r="30" s="1" customFormat="1"><c r="B30" s="1"/></row>'
    )
    # Header is row 2 (row 1 is missing): A2 is empty, so the first header cell is "".
    package(os.path.join(OUT, "edge-cases.xlsx"), sheet(rows), shared_strings=strings, styles=styles)
    write_expected("edge-cases", [
        ["", "head", "inline", "date", "when"],
        ["1", "rich text", "inline", "2024-01-15", "2024-01-15T12:00:00"],
        ["1", "line\r\nbreak", "", "2000-02-29", "2024-01-15T08:30:00"],
        ["0.03", "formula text", "TRUE", "", ""],
        ["7", "", "#DIV/0!", "", ""],
        ["8", "", "", "", "", "99"],
        ["9", "10", "11", "", ""],
        ["-0.5", "", "", "", ""],
    ])
    # 1904 date system by hand: serial 0 is 1904-01-01.
    styles1904 = '<?xml version="1.0" encoding="UTF-8"?><styleSheet %s><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' % NS
    package(os.path.join(OUT, "date1904.xlsx"),
            sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c></row><row r="2"><c r="A2" s="1"><v>0</v></c></row><row r="3"><c r="A3" s="1"><v>43844</v></c></row>'),
            styles=styles1904, date1904=True)
    write_expected("date1904", [["d"], ["1904-01-01"], ["2024-01-15"]])


def hostile():
    os.makedirs(HOSTILE, exist_ok=True)
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
    # Zip bomb: 200 MB of whitespace inside the sheet, a few hundred KB compressed.
    bomb_xml = sheet(header).replace("<sheetData>", "<sheetData>" + " " * (200 << 20))
    package(os.path.join(HOSTILE, "bomb-ratio.xlsx"), bomb_xml)
    # The same, but the directory lies about the size (declares 1 KB): caught while inflating.
    data = bytearray(open(os.path.join(HOSTILE, "bomb-ratio.xlsx"), "rb").read())
    patch_declared_size(data, b"xl/worksheets/sheet1.xml", 1024)
    open(os.path.join(HOSTILE, "bomb-lying-size.xlsx"), "wb").write(data)
    # DOCTYPE with an external entity (XXE) in the sheet.
    xxe = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           '<worksheet %s><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>' % NS)
    package(os.path.join(HOSTILE, "xxe.xlsx"), xxe)
    # Billion laughs in the shared strings.
    lol = '<!ENTITY lol0 "lol">' + "".join('<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1)) * 10) for i in range(1, 10))
    laughs = '<?xml version="1.0"?><!DOCTYPE sst [%s]><sst %s><si><t>&lol9;</t></si></sst>' % (lol, NS)
    package(os.path.join(HOSTILE, "billion-laughs.xlsx"), sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), shared_strings=laughs)
    # Path traversal in an entry name.
    package(os.path.join(HOSTILE, "traversal.xlsx"), sheet(header), extra=[("../../evil.sh", "#!/bin/sh\n")])
    package(os.path.join(HOSTILE, "traversal-backslash.xlsx"), sheet(header), extra=[("xl\\..\\..\\evil.sh", "x")])
    # More columns than the limit: XFE is column 16,385.
    package(os.path.join(HOSTILE, "too-many-columns.xlsx"),
            sheet(header + '<row r="2"><c r="XFE2"><v>1</v></c></row>'))
    # A string longer than Excel's 32,767 characters.
    package(os.path.join(HOSTILE, "long-string.xlsx"),
            sheet(header + '<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c></row>' % ("x" * 40000)))
    # An encrypted zip entry (general purpose flag bit 0).
    package(os.path.join(HOSTILE, "encrypted-entry.xlsx"), sheet(header))
    data = bytearray(open(os.path.join(HOSTILE, "encrypted-entry.xlsx"), "rb").read())
    set_encrypted_flag(data, b"xl/worksheets/sheet1.xml")
    open(os.path.join(HOSTILE, "encrypted-entry.xlsx"), "wb").write(data)
    # Legacy .xls and an encrypted (password-protected) workbook: OLE2 compound files.
    open(os.path.join(HOSTILE, "legacy.xls"), "wb").write(cfb(["Root Entry", "Workbook", "SummaryInformation"]))
    open(os.path.join(HOSTILE, "encrypted.xlsx"), "wb").write(cfb(["Root Entry", "EncryptionInfo", "EncryptedPackage"]))
    # A CSV renamed to .xlsx, an .xlsx renamed to .csv, a zip that is not a workbook.
    open(os.path.join(HOSTILE, "renamed-csv.xlsx"), "w").write("id,name\n1,Anna\n")
    shutil.copy(os.path.join(OUT, "date1904.xlsx"), os.path.join(HOSTILE, "renamed-xlsx.csv"))
    with zipfile.ZipFile(os.path.join(HOSTILE, "not-a-workbook.zip"), "w") as z:
        z.writestr("readme.txt", "hello")


def patch_declared_size(data, name, size):
    """Rewrites the uncompressed size of entry `name` in its local and central headers."""
    offset = 0
    while True:
        offset = data.find(name, offset)
        if offset < 0:
            return
        if data[offset - 30:offset - 26] == b"PK\x03\x04":
            struct.pack_into("<I", data, offset - 30 + 22, size)
        elif data[offset - 46:offset - 42] == b"PK\x01\x02":
            struct.pack_into("<I", data, offset - 46 + 24, size)
        offset += len(name)


def set_encrypted_flag(data, name):
    offset = 0
    while True:
        offset = data.find(name, offset)
        if offset < 0:
            return
        if data[offset - 30:offset - 26] == b"PK\x03\x04":
            data[offset - 30 + 6] |= 1
        elif data[offset - 46:offset - 42] == b"PK\x01\x02":
            data[offset - 46 + 8] |= 1
        offset += len(name)


def cfb(names):
    """A minimal OLE2 compound file header plus one directory sector with `names`."""
    header = bytearray(512)
    header[0:8] = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    struct.pack_into("<HHH", header, 0x18, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 0x1E, 9)
    struct.pack_into("<H", header, 0x20, 6)
    struct.pack_into("<I", header, 0x30, 0)
    directory = bytearray(512)
    for i, name in enumerate(names[:4]):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128:i * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, i * 128 + 64, len(encoded))
    return bytes(header + directory)


def main():
    os.makedirs(OUT, exist_ok=True)
    xlsxwriter_normal()
    xlsxwriter_constant_memory()
    openpyxl_files()
    pandas_file()
    libxlsxwriter_file()
    libreoffice_file()
    edge_cases()
    hostile()


if __name__ == "__main__":
    main()
