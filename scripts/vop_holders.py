#!/usr/bin/env python3
"""Writes the account holders the VOP simulator answers from, for a debtors CSV.

    scripts/vop_holders.py Samples/debtors-10k.csv --output /tmp/holders.csv

For each row with an IBAN, chosen by a hash of the IBAN (so the same file always gives the
same holders): 85 % hold the account under the row's own name (MTCH), 6 % under a close
variant (a typo or an initial: CMTC), 6 % under someone else's name (NMTC), and 3 % of the
accounts are unknown to the simulator (NOAP). The output is `iban,name` with a header,
rows are streamed, only the IBANs seen are kept (for repeated IBANs).
"""
import argparse
import csv
import hashlib
import sys

OTHER_NAMES = ["Pat Kowalczyk", "Robin Oyelaran", "Sam Nakamura", "Alex Fernández", "Kim Lindqvist", "Jo Papadopoulou"]


def variant(first: str, last: str, digest: bytes) -> str:
    """A close variant of the name: the first name as an initial, or one letter of the last name dropped."""
    if digest[1] % 2 == 0 and first:
        return f"{first[0]}. {last}"
    if len(last) > 4:
        cut = 1 + digest[2] % (len(last) - 2)
        return f"{first} {last[:cut]}{last[cut + 1:]}"
    return f"{first} {last}e"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("debtors", help="a debtors CSV with first_name, last_name (or name) and iban")
    parser.add_argument("--output", default="-", help="the holders CSV, or - for stdout")
    args = parser.parse_args(argv)
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="", encoding="utf-8")
    counts = {"match": 0, "close": 0, "other": 0, "unknown": 0}
    seen = set()
    with open(args.debtors, newline="", encoding="utf-8", errors="replace") as source:
        reader = csv.DictReader(source)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["iban", "name"])
        for row in reader:
            iban = "".join((row.get("iban") or "").split()).upper()
            if not iban or iban in seen:
                continue
            seen.add(iban)
            first = (row.get("first_name") or "").strip()
            last = (row.get("last_name") or "").strip()
            name = f"{first} {last}".strip() or (row.get("name") or "").strip()
            digest = hashlib.sha256(iban.encode()).digest()
            share = digest[0] * 100 // 256
            if share < 85:
                kind, holder = "match", name
            elif share < 91:
                kind, holder = "close", variant(first, last, digest) if first and last else name
            elif share < 97:
                kind, holder = "other", OTHER_NAMES[digest[3] % len(OTHER_NAMES)]
            else:
                counts["unknown"] += 1
                continue
            if not holder:
                continue
            counts[kind] += 1
            writer.writerow([iban, holder])
    if out is not sys.stdout:
        out.close()
    print(f"vop_holders: {counts['match']} matching, {counts['close']} close, {counts['other']} other names, "
          f"{counts['unknown']} unknown accounts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
