#!/usr/bin/env python3
"""Signed Genesis notification bodies for `make bench-notifications`, one per line.

Each approves one attempt the benchmark seeded (`unique_id` PREFIX-N, transaction_id
tx-PREFIX-N, amount 1000), signed with the terminal's password; the hash rotates through
SHA-1, SHA-256 and SHA-512, as the gateway may use any of them.
"""
import argparse
import hashlib
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, required=True)
parser.add_argument("--prefix", required=True)
parser.add_argument("--password", required=True)
parser.add_argument("--terminal", required=True)
parser.add_argument("--output", required=True)
args = parser.parse_args()

hashes = [hashlib.sha1, hashlib.sha256, hashlib.sha512]
with open(args.output, "w") as out:
    for n in range(args.count):
        unique_id = f"{args.prefix}-{n}"
        signature = hashes[n % 3]((unique_id + args.password).encode()).hexdigest()
        fields = [
            ("transaction_id", f"tx-{unique_id}"), ("unique_id", unique_id), ("transaction_type", "sdd_sale"),
            ("terminal_token", args.terminal), ("status", "approved"), ("amount", "1000"), ("currency", "EUR"),
            ("signature", signature),
        ]
        out.write(urllib.parse.urlencode(fields) + "\n")
