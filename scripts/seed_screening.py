#!/usr/bin/env python3
"""Seeds the screening tables for the screening benchmark (scripts/bench_screening.sh).

Writes two CSV files for `psql \\copy`:
  blacklist.csv  ENTRIES blacklist entries (source BENCH_SOURCE): IBAN hashes, names,
                 e-mails, BICs and BIC prefixes. About 1% of the debtor file's rows match
                 one of them; the rest are random.
  attempts.csv   ATTEMPTS billing attempts (run_id BENCH_RUN): about 1% of the file's IBANs
                 charged back and 2% attempted in the last 30 days; the rest are random IBAN
                 hashes spread over the last two years.

    python3 scripts/seed_screening.py DEBTORS.csv OUT_DIR [--entries 100000] [--attempts 1000000]

The matching rows are picked deterministically (every n-th line), so every run of the
benchmark rejects the same rows.
"""
import argparse
import csv
import hashlib
import os
import random
import sys
import unicodedata

BENCH_SOURCE = "bench-screening"
BENCH_RUN = "00000000-0000-4000-8000-00000000b0b0"


def fold(name):
    """The blacklist's name key (Sources/SluiceStages/Keys/NameFolding.swift), for ASCII-able names."""
    text = unicodedata.normalize("NFKD", name.replace("ß", "ss").replace("Æ", "AE").replace("æ", "ae"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words, word = [], []
    for c in text:
        if c.isalnum():
            word.append(c)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return " ".join(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("debtors")
    parser.add_argument("out_dir")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    args = parser.parse_args()
    rnd = random.Random(20261121)
    os.makedirs(args.out_dir, exist_ok=True)

    matched = {"iban": [], "name": [], "email": [], "bic_prefix": []}
    chargebacks, recent = [], []
    with open(args.debtors, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            iban = "".join(row.get("iban", "").split()).upper()
            if len(iban) < 15:
                continue
            if number % 400 == 0:
                matched["iban"].append(iban)
            elif number % 400 == 100:
                chargebacks.append(iban)
            elif number % 400 in (200, 201):
                recent.append(iban)
            # Names repeat across a generated file (a few hundred first and last names), so
            # one blacklisted name holds back many rows: take only a few.
            elif number % 20000 == 300 and row.get("first_name") and row.get("last_name"):
                key = fold(row["first_name"] + " " + row["last_name"])
                if key.isascii():
                    matched["name"].append(key)
            elif number % 400 == 350 and "@" in row.get("email", ""):
                matched["email"].append(row["email"].strip().lower())

    entries = 0
    with open(os.path.join(args.out_dir, "blacklist.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        def put(kind, key, display, reason):
            nonlocal entries
            writer.writerow([kind, key, display, reason, BENCH_SOURCE])
            entries += 1
        seen = set()
        for iban in matched["iban"]:
            key = hashlib.sha256(iban.encode()).hexdigest()
            if key not in seen:
                seen.add(key)
                put("iban", key, iban[:4] + "*" * (len(iban) - 8) + iban[-4:], "AC04")
        for name in sorted(set(matched["name"])):
            put("name", name, name, "fraud")
        for email in sorted(set(matched["email"])):
            put("email", email, email, "complaint")
        put("bic_prefix", "QQQQ", "QQQQ…", "bank")
        # The rest: random IBAN hashes (70%), names, e-mails and BICs nobody in the file has.
        index = 0
        while entries < args.entries:
            index += 1
            kind = index % 10
            if kind < 7:
                put("iban", hashlib.sha256(f"random-{index}".encode()).hexdigest(), "XX00****0000", "AC01")
            elif kind == 7:
                put("name", f"nobody {index}", f"nobody {index}", "fraud")
            elif kind == 8:
                put("email", f"nobody{index}@blocked.example", f"nobody{index}@blocked.example", "complaint")
            else:
                bic = "ZZZZDE%05d" % index
                put("bic", bic, bic, "RC01")

    attempts = 0
    with open(os.path.join(args.out_dir, "attempts.csv"), "w", newline="") as out:
        writer = csv.writer(out)
        for iban in chargebacks:
            writer.writerow([BENCH_RUN, "\\x" + hashlib.sha256(iban.encode()).hexdigest(), "chargebacked", 400, "t"])
            attempts += 1
        for iban in recent:
            writer.writerow([BENCH_RUN, "\\x" + hashlib.sha256(iban.encode()).hexdigest(), "approved", 3, "f"])
            attempts += 1
        for index in range(max(0, args.attempts - attempts)):
            digest = hashlib.sha256(f"attempt-{index}".encode()).hexdigest()
            writer.writerow([BENCH_RUN, "\\x" + digest, "approved", rnd.randint(0, 730), "t" if index % 50 == 0 else "f"])
            attempts += 1
    print(f"{entries} blacklist entries ({len(matched['iban'])} IBANs, {len(set(matched['name']))} names, "
          f"{len(set(matched['email']))} e-mails of the file); {attempts} attempts "
          f"({len(chargebacks)} charged-back and {len(recent)} recent IBANs of the file)", file=sys.stderr)


if __name__ == "__main__":
    main()
