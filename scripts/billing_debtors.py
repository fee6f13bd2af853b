#!/usr/bin/env python3
"""Writes a debtor CSV that billing can charge: NL IBANs (no national check digit), names,
EUR amounts. Each run of it gives fresh random IBANs, so debtor profiles of earlier runs never
hold its rows back.

    python3 scripts/billing_debtors.py --rows 100000 --output /tmp/bill.csv [--cents 20]

Amounts are 20.00 to 69.99 legacy charges the gateway simulator approves, except that
--declined-percent of the rows end in .51 (declined AM04)."""
import argparse
import random


def dutch_iban(rng: random.Random) -> str:
    bban = "ABNA" + "".join(str(rng.randrange(10)) for _ in range(10))
    digits = "".join(str(ord(c) - 55) if c.isalpha() else c for c in bban + "NL00")
    check = 98 - int(digits) % 97
    return "NL%02d%s" % (check, bban)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--declined-percent", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("external_id,first_name,last_name,iban,amount,currency\n")
        for index in range(args.rows):
            cents = 51 if rng.random() * 100 < args.declined_percent else rng.choice([c for c in range(100) if c not in (51, 52, 53, 54, 60, 61)])
            out.write("B%08d,Ada,Lovelace,%s,%d.%02d,EUR\n" % (index, dutch_iban(rng), 20 + rng.randrange(50), cents))


if __name__ == "__main__":
    main()
