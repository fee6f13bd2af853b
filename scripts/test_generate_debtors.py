"""Tests of scripts/generate_debtors.py (stdlib unittest).

Run from the repository root:

    python3 -m unittest scripts/test_generate_debtors.py

The checks re-parse the generated CSV with the csv module and an IBAN
validator written here independently of the generator, and compare what they
find with the manifest.
"""

from __future__ import annotations

import csv
import datetime
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "generate_debtors.py")
SAMPLES = os.path.join(REPO, "Samples")

_spec = importlib.util.spec_from_file_location("generate_debtors", SCRIPT)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

HEADER = ("external_id,first_name,last_name,email,iban,bic,amount,currency,mandate_id,"
          "mandate_date,address,city,postcode,country").split(",")

# Independent IBAN registry excerpt: country -> BBAN regex (length follows from it).
BBAN = {
    "DE": r"\d{18}", "AT": r"\d{16}", "NL": r"[A-Z]{4}\d{10}", "LU": r"\d{3}[A-Z0-9]{13}",
    "IE": r"[A-Z]{4}\d{14}", "LT": r"\d{16}", "LV": r"[A-Z]{4}[A-Z0-9]{13}",
    "GR": r"\d{7}[A-Z0-9]{16}", "CY": r"\d{8}[A-Z0-9]{16}", "MT": r"[A-Z]{4}\d{5}[A-Z0-9]{18}",
    "DK": r"\d{14}", "CH": r"\d{5}[A-Z0-9]{12}", "BE": r"\d{12}",
}
LENGTH = {"DE": 22, "AT": 20, "NL": 18, "LU": 20, "IE": 22, "LT": 20, "LV": 21, "GR": 27,
          "CY": 28, "MT": 31, "DK": 18, "CH": 21, "BE": 16}


def mod97(iban: str) -> int:
    """The Python int trick: move the first 4 chars to the end, letters -> 10..35."""
    s = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97


def classify_iban(raw: str) -> str | None:
    """The IBAN defect code an independent validator finds, or None if valid."""
    s = raw.replace(" ", "").upper()
    if s == "":
        return "iban.required"
    cc = s[:2]
    if cc not in BBAN:
        return "iban.country"
    if len(s) != LENGTH[cc]:
        return "iban.length"
    if not re.fullmatch(cc + r"\d{2}" + BBAN[cc], s):
        return "iban.structure"
    if s[2:4] in ("00", "01", "99"):
        return "iban.alias_check_digits"
    if mod97(s) != 1:
        return "iban.checksum"
    if cc == "BE":
        national = int(s[4:14]) % 97 or 97
        if national != int(s[14:16]):
            return "iban.be_national"
    return None


def run(*args: str) -> bytes:
    return subprocess.run([sys.executable, SCRIPT, "--quiet", *args], check=True,
                          stdout=subprocess.PIPE).stdout


class Generated:
    """A file generated into a temp dir, parsed into records with start lines."""

    def __init__(self, tmp: str, name: str, *args: str, encoding: str = "utf-8"):
        self.path = os.path.join(tmp, name + ".csv")
        self.manifest_path = os.path.join(tmp, name + ".json")
        run(*args, "--output", self.path, "--manifest", self.manifest_path)
        with open(self.manifest_path, encoding="utf-8") as f:
            self.manifest = json.load(f)
        with open(self.path, "rb") as f:
            self.raw = f.read()
        self.text = self.raw.decode("utf-8-sig" if encoding == "utf-8" else "cp1252")
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.manifest["delimiter"])
        self.header = next(reader)
        self.records = []      # (record index, start line, fields)
        start = reader.line_num + 1
        for i, row in enumerate(reader, 1):
            self.records.append((i, start, row))
            start = reader.line_num + 1
        self.physical_lines = self.text.count("\n")


class GeneratorTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        tmp = cls._tmp.name
        cls.comma = Generated(tmp, "comma", "--rows", "20000", "--seed", "42")
        cls.semi = Generated(tmp, "semi", "--rows", "3000", "--seed", "7", "--delimiter", ";")
        cls.tab = Generated(tmp, "tab", "--rows", "2000", "--seed", "3", "--delimiter", "\t")
        cls.pipe = Generated(tmp, "pipe", "--rows", "2000", "--seed", "4", "--delimiter", "|")
        cls.cp1252 = Generated(tmp, "cp1252", "--rows", "3000", "--seed", "9", "--encoding",
                               "windows-1252", "--crlf", encoding="windows-1252")
        cls.bom = Generated(tmp, "bom", "--rows", "500", "--seed", "5", "--bom", "--crlf")
        cls.all = [cls.comma, cls.semi, cls.tab, cls.pipe, cls.cp1252, cls.bom]

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    # ---- determinism -------------------------------------------------------

    def test_same_seed_same_bytes(self):
        a = run("--rows", "3000", "--seed", "11", "--delimiter", ";")
        b = run("--rows", "3000", "--seed", "11", "--delimiter", ";")
        self.assertEqual(a, b)
        self.assertNotEqual(a, run("--rows", "3000", "--seed", "12", "--delimiter", ";"))

    def test_file_and_stdout_identical(self):
        with open(self.semi.path, "rb") as f:
            self.assertEqual(f.read(), run("--rows", "3000", "--seed", "7", "--delimiter", ";"))

    def test_committed_samples_match_generator(self):
        samples = [
            ("debtors-10k.csv", ["--rows", "10000", "--seed", "42"]),
            ("debtors-1k-semicolon.csv", ["--rows", "1000", "--seed", "7", "--delimiter", ";"]),
            ("debtors-1k-cp1252.csv", ["--rows", "1000", "--seed", "9", "--encoding", "windows-1252",
                                       "--crlf"]),
        ]
        for name, args in samples:
            path = os.path.join(SAMPLES, name)
            if not os.path.exists(path):
                self.skipTest(f"{path} not present")
            with self.subTest(sample=name):
                with tempfile.TemporaryDirectory() as tmp:
                    mpath = os.path.join(tmp, "m.json")
                    out = os.path.join(tmp, "o.csv")
                    run(*args, "--output", out, "--manifest", mpath)
                    with open(path, "rb") as a, open(out, "rb") as b:
                        self.assertEqual(a.read(), b.read(), f"{name} differs from a fresh generation")
                    committed = path[: -len(".csv")] + ".manifest.json"
                    with open(committed, encoding="utf-8") as a, open(mpath, encoding="utf-8") as b:
                        self.assertEqual(json.load(a), json.load(b))

    # ---- CSV shape -------------------------------------------------------------

    def test_every_record_has_14_fields(self):
        for g in self.all:
            with self.subTest(file=os.path.basename(g.path)):
                self.assertEqual(g.header, HEADER)
                self.assertEqual(len(g.records), g.manifest["rows"])
                for rec, line, row in g.records:
                    self.assertEqual(len(row), 14, (rec, line, row))

    def test_line_endings_bom_and_encoding(self):
        self.assertFalse(self.comma.raw.startswith(b"\xef\xbb\xbf"))
        self.assertNotIn(b"\r", self.comma.raw)
        self.assertTrue(self.bom.raw.startswith(b"\xef\xbb\xbf"))
        for g in (self.cp1252, self.bom):
            # every record terminator is CRLF; embedded newlines inside quotes are bare LF
            self.assertTrue(g.raw.startswith(b"external_id,") or g.raw[3:].startswith(b"external_id,"))
            self.assertEqual(g.raw.count(b"\r"), g.raw.count(b"\r\n"))
            self.assertEqual(g.raw.count(b"\r\n"), g.manifest["rows"] + 1)
        with self.assertRaises(UnicodeDecodeError):
            self.cp1252.raw.decode("utf-8")
        self.assertIn("€", self.cp1252.text)

    def test_rfc4180_quoting_roundtrip(self):
        for g in (self.comma, self.semi):
            buf = io.StringIO(newline="")
            w = csv.writer(buf, delimiter=g.manifest["delimiter"], lineterminator="\n",
                           quoting=csv.QUOTE_MINIMAL)
            w.writerow(g.header)
            for _, _, row in g.records:
                w.writerow(row)
            self.assertEqual(buf.getvalue(), g.text, "output is not minimal RFC 4180 quoting")
        self.assertIn('""', self.comma.text)
        addresses = [row[10] for _, _, row in self.comma.records]
        self.assertTrue(any("\n" in a for a in addresses))
        self.assertTrue(any("," in a for a in addresses))
        self.assertTrue(any('"' in a for a in addresses))
        self.assertTrue(any("," in row[6] for _, _, row in self.comma.records))

    # ---- line numbers --------------------------------------------------------

    def test_manifest_lines_are_physical_lines(self):
        for g in self.all:
            with self.subTest(file=os.path.basename(g.path)):
                start = {rec: line for rec, line, _ in g.records}
                physical = g.text.split("\n")
                self.assertEqual(g.manifest["physical_lines"], g.physical_lines)
                if g.manifest["rows"] >= 2000:   # there are multi-line records
                    self.assertGreater(g.physical_lines, g.manifest["rows"] + 1)
                for d in g.manifest["defects"]:
                    self.assertEqual(d["line"], start[d["record"]], d)
                    row = g.records[d["record"] - 1][2]
                    self.assertTrue(physical[d["line"] - 1].startswith(row[0] + g.manifest["delimiter"]))
                    if "first_line" in d:
                        self.assertEqual(d["first_line"], start[d["first_record"]], d)

    # ---- IBANs -------------------------------------------------------------------

    def test_valid_ibans(self):
        for g in self.all:
            with self.subTest(file=os.path.basename(g.path)):
                flagged = {d["record"] for d in g.manifest["defects"] if d["code"].startswith("iban.")}
                countries, spaced, lower = set(), 0, 0
                for rec, _, row in g.records:
                    if rec in flagged:
                        continue
                    raw = row[4]
                    s = raw.replace(" ", "").upper()
                    self.assertEqual(len(s), LENGTH[s[:2]], raw)
                    self.assertEqual(mod97(s), 1, raw)
                    self.assertNotIn(s[2:4], ("00", "01", "99"))
                    self.assertIsNone(classify_iban(raw), raw)
                    if raw != s:
                        if " " in raw:
                            self.assertEqual(raw, " ".join(s[i:i + 4] for i in range(0, len(s), 4)))
                            spaced += 1
                        else:
                            self.assertEqual(raw, s.lower())
                            lower += 1
                    bic = row[5]
                    if bic:
                        self.assertRegex(bic, r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
                        self.assertEqual(bic[4:6], s[:2])
                    if row[13]:
                        self.assertEqual(row[13], s[:2])
                    countries.add(s[:2])
                self.assertGreaterEqual(len(countries), 12)
                if g.manifest["rows"] >= 3000:
                    self.assertGreater(spaced, 0)
                    self.assertGreater(lower, 0)
                if g.manifest["rows"] >= 2000:
                    share = 1 - len(flagged) / g.manifest["rows"]
                    self.assertTrue(0.93 < share < 0.97, share)

    def test_valid_ibans_are_unique_except_injected_duplicates(self):
        g = self.comma
        counts = g.manifest["counts"]
        seen, repeats = set(), 0
        for _, _, row in g.records:
            s = row[4].replace(" ", "").upper()
            if s and classify_iban(s) is None:
                repeats += s in seen
                seen.add(s)
        self.assertEqual(repeats, counts["dedup.in_file"] + counts["dedup.same_iban"])

    # ---- injected defects: reparse and compare -------------------------------------

    def reparse(self, g: Generated) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {code: set() for code in gen.DEFECT_CODES}
        seen_rows: dict[tuple, int] = {}
        seen_iban: dict[str, int] = {}
        email_ok = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
        amount_ok = re.compile(r"^(?:€)?(\d+\.\d{2}|\d{1,3}(?:\.\d{3})*,\d{2}|\d+,\d{2})(?: €)?$")
        for rec, _, row in g.records:
            key = tuple(row)
            iban = row[4].replace(" ", "").upper()
            if key in seen_rows:
                found["dedup.in_file"].add(rec)
                continue
            seen_rows[key] = rec
            if iban and iban in seen_iban:
                found["dedup.same_iban"].add(rec)
                continue
            if iban:
                seen_iban[iban] = rec
            code = classify_iban(row[4])
            if code:
                found[code].add(rec)
            if row[1] == "" or row[2] == "":
                found["name.required"].add(rec)
            if any("\ufffd" in n or re.search("[ÂÃÄÅÎÏ][\u0080-\u00ff\u0100-\u02ff\u2000-\u2122]", n)
                   for n in row[1:3]):
                found["encoding.broken"].add(rec)
            if row[3] and not email_ok.match(row[3]):
                found["email.format"].add(rec)
            amount = row[6]
            m = amount_ok.match(amount)
            if not m:
                found["amount.format"].add(rec)
            else:
                value = float(m.group(1).replace(".", "").replace(",", ".")
                              if "," in m.group(1) else m.group(1))
                if value < 0.10:
                    found["amount.min"].add(rec)
                elif value > 50000:
                    found["amount.max"].add(rec)
            if row[7] != "EUR":
                found["currency.unsupported"].add(rec)
            date = row[9]
            m = (re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date)
                 or re.fullmatch(r"(\d{2})[./](\d{2})[./](\d{4})", date))
            self.assertIsNotNone(m, date)
            y, mo, d = (m.groups() if "-" in date else m.groups()[::-1])
            try:
                dt = datetime.date(int(y), int(mo), int(d))
            except ValueError:
                found["date.invalid"].add(rec)
            else:
                if dt.year > 2026:
                    found["date.future"].add(rec)
        return found

    def test_reparse_matches_manifest(self):
        for g in self.all:
            with self.subTest(file=os.path.basename(g.path)):
                found = self.reparse(g)
                expected: dict[str, set[int]] = {code: set() for code in gen.DEFECT_CODES}
                for d in g.manifest["defects"]:
                    expected[d["code"]].add(d["record"])
                for code in gen.DEFECT_CODES:
                    self.assertEqual(len(found[code]), g.manifest["counts"][code], code)
                    self.assertEqual(found[code], expected[code], code)
                # at most one defect per record
                self.assertEqual(sum(len(v) for v in expected.values()), len(g.manifest["defects"]))
                self.assertEqual(len({d["record"] for d in g.manifest["defects"]}),
                                 len(g.manifest["defects"]))

    def test_duplicates_point_at_first_occurrence(self):
        g = self.comma
        rows = {rec: row for rec, _, row in g.records}
        n_in_file = n_same = 0
        for d in g.manifest["defects"]:
            if d["code"] == "dedup.in_file":
                n_in_file += 1
                self.assertLess(d["first_record"], d["record"])
                self.assertEqual(rows[d["record"]], rows[d["first_record"]])
            elif d["code"] == "dedup.same_iban":
                n_same += 1
                a, b = rows[d["record"]], rows[d["first_record"]]
                self.assertEqual(a[4], b[4])
                self.assertNotEqual(a[0], b[0])
                self.assertNotEqual(a[6], b[6])
        self.assertGreater(n_in_file, 100)
        self.assertGreater(n_same, 50)

    def test_all_defect_kinds_present(self):
        for code in gen.DEFECT_CODES:
            self.assertGreater(self.comma.manifest["counts"][code], 0, code)

    def test_names_and_emails(self):
        g = self.comma
        firsts = {row[1] for _, _, row in g.records}
        lasts = {row[2] for _, _, row in g.records}
        for name in ("José", "Françoise", "Øyvind", "Łukasz", "Zoë"):
            self.assertIn(name, firsts)
        for name in ("Müller", "Dvořák", "O'Brien", "Müller-Lüdenscheid"):
            self.assertIn(name, lasts)
        for _, _, row in g.records:
            if row[3]:
                self.assertTrue(row[3].isascii() and row[3] == row[3].lower(), row[3])
        ext_ids = [row[0] for _, _, row in g.records]
        self.assertEqual(len(set(ext_ids)), len(ext_ids) - g.manifest["counts"]["dedup.in_file"])

    # ---- manifest size ------------------------------------------------------------

    def test_large_runs_write_counts_only(self):
        old = gen.FULL_MANIFEST_LIMIT
        gen.FULL_MANIFEST_LIMIT = 100
        try:
            with tempfile.TemporaryDirectory() as tmp:
                m1, m2 = os.path.join(tmp, "1.json"), os.path.join(tmp, "2.json")
                out = os.path.join(tmp, "o.csv")
                gen.main(["--rows", "101", "--output", out, "--manifest", m1, "--quiet"])
                gen.main(["--rows", "101", "--output", out, "--manifest", m2, "--quiet",
                          "--full-manifest"])
                with open(m1) as a, open(m2) as b:
                    j1, j2 = json.load(a), json.load(b)
                self.assertNotIn("defects", j1)
                self.assertIn("defects", j2)
                self.assertEqual(j1["counts"], j2["counts"])
        finally:
            gen.FULL_MANIFEST_LIMIT = old


def records_with_lines(text: str, delimiter: str = ",", strict: bool = False):
    """[(start line, fields)] for every non-blank record, header included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    out, start = [], 1
    for row in reader:
        if row:
            out.append((start, row))
        start = reader.line_num + 1
    return out


class EdgeFileTests(unittest.TestCase):
    """The structural facts Samples/edge/README.md states about each file."""

    EDGE = os.path.join(SAMPLES, "edge")

    def read(self, name: str) -> bytes:
        path = os.path.join(self.EDGE, name)
        if not os.path.exists(path):
            self.skipTest(f"{path} not present")
        with open(path, "rb") as f:
            return f.read()

    def check_rows(self, records, header=HEADER, ibans_valid=True):
        self.assertEqual(records[0][1], header)
        iban_col = header.index("iban") if "iban" in header else header.index("IBAN Number")
        for line, row in records[1:]:
            if ibans_valid:
                self.assertIsNone(classify_iban(row[iban_col]), (line, row))

    def test_bom_crlf(self):
        raw = self.read("bom-crlf.csv")
        self.assertTrue(raw.startswith(b"\xef\xbb\xbfexternal_id,"))
        self.assertEqual(raw.count(b"\n"), 4)
        self.assertEqual(raw.count(b"\r\n"), 4)
        recs = records_with_lines(raw.decode("utf-8-sig"))
        self.assertEqual([line for line, _ in recs], [1, 2, 3, 4])
        self.assertTrue(all(len(r) == 14 for _, r in recs))
        self.assertEqual(recs[1][1][13], "DE")
        self.check_rows(recs)

    def test_quoted_multiline(self):
        raw = self.read("quoted-multiline.csv")
        recs = records_with_lines(raw.decode("utf-8"), strict=True)
        self.assertEqual([line for line, _ in recs], [1, 2, 3, 5, 7, 10])
        self.assertEqual(raw.count(b"\n"), 10)
        self.assertTrue(all(len(r) == 14 for _, r in recs))
        rows = {line: r for line, r in recs}
        self.assertEqual(rows[2][10], 'Haus "Sonnenblick", Bergweg 3')
        self.assertEqual(rows[2][6], "12,50")
        self.assertEqual(rows[3][10], "Prinsengracht 263\n2e verdieping")
        self.assertEqual(rows[5][10], "Rue de la Loi 16\r\nBoîte 3")
        self.assertEqual(rows[5][2], 'Dupont, dite "la Belge"')
        self.assertEqual(rows[7][5], "")
        self.assertEqual(rows[7][10], 'c/o "Weber"\nMariahilfer Straße 1\n3. OG, Tür 7')
        self.assertEqual(rows[10][6], "1.234,56")
        self.check_rows(recs)

    def test_ragged(self):
        recs = records_with_lines(self.read("ragged.csv").decode("utf-8"))
        self.assertEqual({line: len(r) for line, r in recs}, {1: 14, 2: 14, 3: 12, 4: 14, 5: 15, 6: 14})

    def test_unterminated_quote(self):
        text = self.read("unterminated-quote.csv").decode("utf-8")
        self.assertEqual(text.count("\n"), 6)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        good = [next(reader), next(reader), next(reader)]
        self.assertEqual([r[0] for r in good], ["external_id", "EXT-E0001", "EXT-E0002"])
        self.assertEqual(reader.line_num, 3)
        with self.assertRaises(csv.Error):
            next(reader)
        self.assertEqual(text.split("\n")[3].count('"'), 1)

    def test_invalid_utf8(self):
        raw = self.read("invalid-utf8.csv")
        lines = raw.split(b"\n")
        self.assertIn(b"M\xc3\x28ller", lines[2])
        for i, line in enumerate(lines, 1):
            if i == 3:
                with self.assertRaises(UnicodeDecodeError):
                    line.decode("utf-8")
            else:
                line.decode("utf-8")
        recs = records_with_lines(raw.decode("utf-8", errors="replace"))
        self.assertEqual([line for line, _ in recs], [1, 2, 3, 4, 5])
        self.assertTrue(all(len(r) == 14 for _, r in recs))
        self.check_rows(recs)

    def test_tab_and_pipe(self):
        for name, delim in (("tab.tsv", "\t"), ("pipe.csv", "|")):
            with self.subTest(file=name):
                recs = records_with_lines(self.read(name).decode("utf-8"), delim, strict=True)
                self.assertEqual([line for line, _ in recs], [1, 2, 3, 4])
                self.assertTrue(all(len(r) == 14 for _, r in recs))
                self.check_rows(recs)
        recs = records_with_lines(self.read("pipe.csv").decode("utf-8"), "|")
        self.assertEqual(recs[2][1][10], "12 Main Street | Apartment 4")

    def test_blank_lines(self):
        raw = self.read("blank-lines.csv")
        self.assertTrue(raw.endswith(b"\n\n"))
        recs = records_with_lines(raw.decode("utf-8"))
        self.assertEqual([line for line, _ in recs], [1, 3, 6, 7])
        self.check_rows(recs)

    def test_aliases(self):
        recs = records_with_lines(self.read("aliases.csv").decode("utf-8"), strict=True)
        header = ("Reference,Full Name,IBAN Number,SWIFT,Sum,currency,E-Mail,mandate_id,mandate_date,"
                  "address,Zip Code,city,country,Notes").split(",")
        self.check_rows(recs, header)
        self.assertEqual([line for line, _ in recs], [1, 2, 3, 4, 5])
        self.assertEqual([r[1] for _, r in recs[1:]],
                         ["Schmidt, Anna", "de Vries, Sanne", "Françoise Dupont", "O'Brien, Seán"])
        self.assertTrue(all(len(r) == 14 for _, r in recs))


if __name__ == "__main__":
    unittest.main()
