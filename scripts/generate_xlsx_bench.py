#!/usr/bin/env python3
"""Generates the 1M-row, 14-column XLSX benchmark files under Samples/generated/ (gitignored).

- debtors-1m-inline.xlsx: xlsxwriter constant_memory mode, strings written inline.
- debtors-1m-shared.xlsx: libxlsxwriter from C in normal mode, strings in the shared
  strings table as Excel writes them (see scripts/xlsx_bench_libxlsxwriter.c).

The columns are those of pipelines/debtors.yaml, so `sluice run` can load either file.

    python3 scripts/generate_xlsx_bench.py [--rows 1000000]
"""
import argparse
import datetime as dt
import os
import random
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Samples", "generated")
HEADER = ["external_id", "first_name", "last_name", "email", "iban", "bic", "amount", "currency",
          "mandate_id", "mandate_date", "address", "city", "postcode", "country"]
FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Karla", "Lukas"]
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"]
CITIES = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Stuttgart", "Leipzig", "Dresden"]


def iban(rng):
    bban = "37040044" + "%010d" % rng.randrange(10 ** 10)
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    check = 98 - int(digits) % 97
    return "DE%02d%s" % (check, bban)


def ascii_name(text):
    return text.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")


def rows(count, seed=7, bad_iban_every=0, error_cell_every=0):
    """Rows of debtors. With defects: row i (0-based) has an error cell (#N/A) in amount when
    i % error_cell_every == error_cell_every - 1, else a wrong IBAN check when
    i % bad_iban_every == bad_iban_every // 2."""
    rng = random.Random(seed)
    base = dt.date(2024, 1, 1)
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        account = iban(rng)
        amount = round(rng.uniform(5, 5000), 2)
        if error_cell_every and i % error_cell_every == error_cell_every - 1:
            amount = ERROR_CELL
        elif bad_iban_every and i % bad_iban_every == bad_iban_every // 2:
            check = int(account[2:4])
            account = account[:2] + "%02d" % (check + 1 if check < 98 else 2) + account[4:]
        yield [
            "EXT-%08d" % (i + 1), first, last, "%s.%s%d@example.com" % (ascii_name(first), ascii_name(last), i % 997),
            account, "COBADEFFXXX", amount, "EUR",
            "MNDT-%08d" % (i + 1), base - dt.timedelta(days=rng.randrange(2000)),
            "Hauptstraße %d" % rng.randrange(1, 200), rng.choice(CITIES), "%05d" % rng.randrange(1000, 99999), "DE",
        ]


ERROR_CELL = object()


def inline_file(path, count, bad_iban_every=0, error_cell_every=0):
    import xlsxwriter
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Debtors")
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(rows(count, bad_iban_every=bad_iban_every, error_cell_every=error_cell_every), start=1):
        for c, value in enumerate(row):
            if value is ERROR_CELL:
                ws.write_formula(r, c, "=NA()", None, "#N/A")
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, value)
    wb.close()


def shared_file(path, count):
    # libxlsxwriter reads the rows as TSV on stdin and writes shared strings, fast.
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "bench")
        subprocess.run(["cc", "-O2", "-o", binary, os.path.join(ROOT, "scripts", "xlsx_bench_libxlsxwriter.c"), "-lxlsxwriter"], check=True)
        process = subprocess.Popen([binary, path], stdin=subprocess.PIPE, text=True, bufsize=1 << 20)
        process.stdin.write("\t".join(HEADER) + "\n")
        for row in rows(count):
            process.stdin.write("\t".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in row) + "\n")
        process.stdin.close()
        if process.wait() != 0:
            raise SystemExit("libxlsxwriter bench writer failed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["inline", "shared"])
    parser.add_argument("--output", help="write only the inline-strings file, here")
    parser.add_argument("--bad-iban-every", type=int, default=0)
    parser.add_argument("--error-cell-every", type=int, default=0)
    args = parser.parse_args()
    if args.output:
        inline_file(args.output, args.rows, args.bad_iban_every, args.error_cell_every)
        return
    os.makedirs(OUT, exist_ok=True)
    suffix = "1m" if args.rows == 1_000_000 else str(args.rows)
    if args.only in (None, "inline"):
        inline_file(os.path.join(OUT, "debtors-%s-inline.xlsx" % suffix), args.rows)
    if args.only in (None, "shared"):
        shared_file(os.path.join(OUT, "debtors-%s-shared.xlsx" % suffix), args.rows)


if __name__ == "__main__":
    main()
