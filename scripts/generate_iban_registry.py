#!/usr/bin/env python3
"""Generates the IBAN registry table of SluiceValidation from published registry data.

Run by hand, never at build time; commit what it writes. It reads the data from installed
Python packages, so the result depends only on their versions (written into each file's header):

    pip install python-stdnum==2.2 schwifty==2026.10.1    # schwifty brings pycountry
    python3 scripts/generate_iban_registry.py

Where each fact comes from:

- Country codes, BBAN structure and country names: ``stdnum/iban.dat`` from python-stdnum, which
  is the SWIFT IBAN Registry (release 101) converted to text, 89 country codes.
- Territories that use a parent's IBAN format (AX under FI; BL GF GP MF MQ NC PF PM RE TF WF YT
  under FR; GG IM JE under GB): the SWIFT registry lists them inside the parent's entry. They get
  the parent's structure and national check, and their own code and name (from pycountry).
- Positions of the bank, branch and account codes and of national check digits inside the BBAN:
  ``schwifty/iban_registry/generated.json`` merged with ``overwrite.json`` from schwifty.
- SEPA membership: the EPC list of countries and territories in the SEPA schemes' geographical
  scope (EPC409-09), as kept in ``SEPA`` below. It differs from schwifty's flags on purpose: NC,
  PF, TF and WF are outside the SEPA scope (they use the CFP franc or have no SEPA banks), while
  AL and ME (admitted November 2024), MD and MK (March 2025) and RS (22 May 2025) are inside it.
- Example IBANs: the "IBAN electronic format example" of each country in the SWIFT registry,
  kept in ``EXAMPLES`` below (iban.dat does not carry them); every one is checked with schwifty
  here. A territory's example is its parent's with the territory's code and new check digits.
- ISO 3166-1 alpha-2 codes for BIC countries: pycountry, plus XK (Kosovo, used by SWIFT).

It also writes test fixtures for the national check digits: for every country with a national
check, IBANs that schwifty generates and accepts, and for each the same IBAN with one BBAN digit
changed and the IBAN check digits recomputed, which schwifty rejects for its national checksum.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import json
import random
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE_PATH = ROOT / "Sources/SluiceValidation/IBAN/IBANRegistry+Table.swift"
COUNTRY_CODES_PATH = ROOT / "Sources/SluiceValidation/BIC/CountryCodes+Table.swift"
FIXTURES_PATH = ROOT / "Tests/SluiceValidationTests/IBAN/NationalCheckFixtures.swift"

# Territories sharing a parent's IBAN format (SWIFT registry, "includes" notes of FI, FR, GB).
TERRITORIES = {
    "AX": "FI",
    "BL": "FR", "GF": "FR", "GP": "FR", "MF": "FR", "MQ": "FR", "NC": "FR", "PF": "FR",
    "PM": "FR", "RE": "FR", "TF": "FR", "WF": "FR", "YT": "FR",
    "GG": "GB", "IM": "GB", "JE": "GB",
}

# EPC409-09, EPC List of Countries and Territories included in the SEPA Schemes' Geographical
# Scope: EU member states, EEA (IS LI NO), CH, GB, MC, SM, VA, AD, the Crown Dependencies (GG IM
# JE), GI, the French outermost regions and collectivities that use the euro (BL GF GP MF MQ PM
# RE YT), AX with FI, and AL ME (EPC decision November 2024), MD MK (March 2025) and RS (22 May
# 2025; the National Bank of Serbia's SEPA FAQ lists the 41 countries and the territories).
SEPA = {
    # EU
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    # EEA
    "IS", "LI", "NO",
    # other countries in scope
    "AD", "CH", "GB", "MC", "SM", "VA", "AL", "MD", "ME", "MK", "RS",
    # territories
    "AX", "BL", "GF", "GP", "MF", "MQ", "PM", "RE", "YT", "GI", "GG", "IM", "JE",
}

# National check digit algorithms implemented by `NationalCheck` in Swift, per country.
NATIONAL_CHECKS = {
    "BE": "belgium",
    "FR": "france", "MC": "france",
    "ES": "spain",
    "IT": "italy", "SM": "italy",
    "FI": "finland",
    "NO": "norway",
    "EE": "estonia",
    "PL": "poland",
    "CZ": "czechSlovakia", "SK": "czechSlovakia",
    "IS": "iceland",
    "PT": "mod97", "BA": "mod97", "ME": "mod97", "MK": "mod97", "RS": "mod97", "SI": "mod97",
    "TL": "mod97",
    "MR": "mod97Variant", "TN": "mod97Variant",
}

# SWIFT IBAN Registry release 101, "IBAN electronic format example" of each country.
EXAMPLES = """
AD1200012030200359100100 AE070331234567890123456 AL47212110090000000235698741
AT611904300234573201 AZ21NABZ00000000137010001944 BA391290079401028494 BE68539007547034
BG80BNBG96611020345678 BH67BMAG00001299123456 BI4210000100010000332045181
BR1800360305000010009795493C1 BY13NBRB3600900000002Z00AB00 CH9300762011623852957
CR05015202001026284066 CY17002001280000001200527600 CZ6508000000192000145399
DE89370400440532013000 DJ2100010000000154000100186 DK5000400440116243
DO28BAGR00000001212453611324 EE382200221020145685 EG380019000500000000263180002
ES9121000418450200051332 FI2112345600000785 FK88SC123456789012 FO6264600001631634
FR1420041010050500013M02606 GB29NWBK60161331926819 GE29NB0000000101904917
GI75NWBK000000007099453 GL8964710001000206 GR1601101250000000012300695
GT82TRAJ01020000001210029690 HN88CABF00000000000250005469 HR1210010051863000160
HU42117730161111101800000000 IE29AIBK93115212345678 IL620108000000099999999
IQ98NBIQ850123456789012 IS140159260076545510730339 IT60X0542811101000000123456
JO94CBJO0010000000000131000302 KW81CBKU0000000000001234560101 KZ86125KZT5004100100
LB62099900000001001901229114 LC55HEMM000100010012001200023015 LI21088100002324013AA
LT121000011101001000 LU280019400644750000 LV80BANK0000435195001 LY83002048000020100120361
MC5811222000010123456789030 MD24AG000225100013104168 ME25505000012345678951
MK07250120000058984 MN121234123456789123 MR1300020001010000123456753
MT84MALT011000012345MTLCAST001S MU17BOMM0101101030300200000MUR
NI45BAPR00000013000003558124 NL91ABNA0417164300 NO9386011117947 OM810180000001299123456
PK36SCBL0000001123456702 PL61109010140000071219812874 PS92PALS000000000400123456702
PT50000201231234567890154 QA58DOHB00001234567890ABCDEFG RO49AAAA1B31007593840000
RS35260005601001611379 RU0304452522540817810538091310419 SA0380000000608010167519
SC18SSCB11010000000000001497USD SD2129010501234001 SE4550000000058398257466
SI56263300012039086 SK3112000000198742637541 SM86U0322509800000000270100
SO211000001001000100141 ST68000100010051845310112 SV62CENR00000000000000700025
TL380080012345678910157 TN5910006035183598478831 TR330006100519786457841326
UA213223130000026007233566001 VA59001123000012345678 VG96VPVG0000012345678901
XK051212012345678906 YE15CBYE0001018861234567891234
""".split()

FIXTURES_PER_COUNTRY = 4


def check_digits(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def tidy_name(name: str) -> str:
    return re.sub(r"\s*\(The\)$", "", name)


def package_version(name: str) -> str:
    return importlib.metadata.version(name)


def read_stdnum() -> dict[str, tuple[str, str]]:
    text = importlib.resources.files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8")
    entries: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        match = re.match(r'^([A-Z]{2}) country="([^"]*)" bban="([^"]*)"', line)
        if match:
            entries[match[1]] = (tidy_name(match[2]), match[3])
    return entries


def read_schwifty() -> dict[str, dict]:
    folder = importlib.resources.files("schwifty").joinpath("iban_registry")
    generated = json.loads(folder.joinpath("generated.json").read_text(encoding="utf-8"))
    overwrite = json.loads(folder.joinpath("overwrite.json").read_text(encoding="utf-8"))
    merged: dict[str, dict] = {}
    for code, entry in generated.items():
        positions = dict(entry.get("positions", {}))
        positions.update(overwrite.get(code, {}).get("positions", {}))
        merged[code] = positions
    return merged


def spec_length(spec: str) -> int:
    return sum(int(n) for n, _ in re.findall(r"(\d+)!([nac])", spec))


def swift_range(value: list[int] | None) -> str:
    if not value or value[0] >= value[1]:
        return "nil"
    return f"{value[0]}..<{value[1]}"


def swift_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_countries() -> list[dict]:
    import pycountry
    from schwifty import IBAN

    registry = read_stdnum()
    positions = read_schwifty()
    examples = {e[:2]: e for e in EXAMPLES}
    missing = sorted(set(registry) - set(examples))
    if missing:
        sys.exit(f"no example IBAN for {missing}")
    countries = []
    for code in sorted(set(registry) | set(TERRITORIES)):
        parent = TERRITORIES.get(code)
        if parent:
            spec = registry[parent][1]
            name = pycountry.countries.get(alpha_2=code)
            name = getattr(name, "common_name", None) or name.name
            parent_example = examples[parent]
            example = code + check_digits(code, parent_example[4:]) + parent_example[4:]
        else:
            name, spec = registry[code]
            example = examples[code]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not IBAN(example, allow_invalid=True).is_valid:
                sys.exit(f"schwifty rejects the example {example}")
        places = positions.get(code) or positions.get(parent or "", {})
        national = NATIONAL_CHECKS.get(parent or code)
        countries.append({
            "code": code,
            "name": name,
            "spec": spec,
            "length": 4 + spec_length(spec),
            "sepa": code in SEPA,
            "parent": parent,
            "bank": places.get("bank_code"),
            "branch": places.get("branch_code"),
            "account": places.get("account_code"),
            "national_digits": places.get("national_checksum_digits"),
            "national": national,
            "example": example,
        })
    return countries


def header(sources: str) -> str:
    return (
        "// Generated by scripts/generate_iban_registry.py. Do not edit: change the script and run it again.\n"
        f"// Sources: {sources}\n"
    )


def write_table(countries: list[dict]) -> None:
    sources = (
        f"python-stdnum {package_version('python-stdnum')} (stdnum/iban.dat, SWIFT IBAN Registry release 101), "
        f"schwifty {package_version('schwifty')} (iban_registry positions), pycountry {package_version('pycountry')} "
        "(territory names), EPC409-09 (SEPA scope)."
    )
    lines = [header(sources), "extension IBANRegistry {"]
    lines.append("    /// Every country code of the SWIFT IBAN registry and the territories that share a parent's format,")
    lines.append("    /// sorted by code. Positions are 0-based offsets into the BBAN.")
    lines.append("    public static let countries: [IBANCountry] = [")
    for c in countries:
        national = f".{c['national']}" if c["national"] else ".none"
        parent = swift_string(c["parent"]) if c["parent"] else "nil"
        lines.append(
            f"        IBANCountry(code: {swift_string(c['code'])}, name: {swift_string(c['name'])}, "
            f"length: {c['length']}, bbanFormat: {swift_string(c['spec'])}, isSEPA: {'true' if c['sepa'] else 'false'}, "
            f"parent: {parent}, bankCode: {swift_range(c['bank'])}, branchCode: {swift_range(c['branch'])}, "
            f"accountCode: {swift_range(c['account'])}, nationalCheckDigits: {swift_range(c['national_digits'])}, "
            f"nationalCheck: {national}, example: {swift_string(c['example'])}),"
        )
    lines.append("    ]")
    lines.append("}")
    TABLE_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_country_codes() -> None:
    import pycountry

    codes = sorted({c.alpha_2 for c in pycountry.countries} | {"XK"})
    sources = f"pycountry {package_version('pycountry')} (ISO 3166-1 alpha-2), plus XK (Kosovo, used by SWIFT)."
    lines = [header(sources), "extension CountryCodes {"]
    lines.append("    /// ISO 3166-1 alpha-2 codes that a BIC's country may carry.")
    lines.append("    static let iso3166: [String] = [")
    for i in range(0, len(codes), 16):
        lines.append("        " + ", ".join(swift_string(c) for c in codes[i:i + 16]) + ",")
    lines.append("    ]")
    lines.append("}")
    COUNTRY_CODES_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


def national_fixtures(countries: list[dict]) -> list[tuple[str, str, str]]:
    """(country, valid IBAN, same IBAN with one BBAN digit changed) per national-check country."""
    from schwifty import IBAN
    from schwifty.exceptions import InvalidBBANChecksum

    rng = random.Random(20261121)
    fixtures = []
    for c in countries:
        if not c["national"] or (c["parent"] and c["code"] not in ("AX", "RE")):
            continue  # one territory per parent is enough: they share the parent's algorithm
        code = c["code"]
        # schwifty checks a territory's BBAN only under the parent's code.
        source = c["parent"] or code
        made = 0
        for _ in range(1000):
            if made == FIXTURES_PER_COUNTRY:
                break
            bban = str(IBAN.random(country_code=source, random=rng))[4:]
            if code == "NO" and bban[4:6] == "00":
                continue  # schwifty checks those accounts differently; see NationalCheck.norway
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                IBAN(source + check_digits(source, bban) + bban, validate_bban=True)
            digit_positions = [i for i, ch in enumerate(bban) if ch.isdigit()]
            for _ in range(50):
                i = rng.choice(digit_positions)
                replacement = rng.choice([d for d in "0123456789" if d != bban[i]])
                changed = bban[:i] + replacement + bban[i + 1:]
                if check_digits(code, changed) in ("00", "01", "99"):
                    continue
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        IBAN(source + check_digits(source, changed) + changed, validate_bban=True)
                except InvalidBBANChecksum:
                    valid = code + check_digits(code, bban) + bban
                    invalid = code + check_digits(code, changed) + changed
                    fixtures.append((code, valid, invalid))
                    made += 1
                    break
                except Exception:
                    continue
        if made < FIXTURES_PER_COUNTRY:
            sys.exit(f"could not make national check fixtures for {code}")
    return fixtures


def write_fixtures(countries: list[dict]) -> None:
    fixtures = national_fixtures(countries)
    sources = f"schwifty {package_version('schwifty')} (IBAN.random, validate_bban=True)."
    lines = [header(sources), "/// A valid IBAN per row, and the same IBAN with one BBAN digit changed and its IBAN check"]
    lines.append("/// digits recomputed, so that only the national check digits are wrong.")
    lines.append("let nationalCheckFixtures: [(country: String, valid: String, invalid: String)] = [")
    for code, valid, invalid in fixtures:
        lines.append(f"    ({swift_string(code)}, {swift_string(valid)}, {swift_string(invalid)}),")
    lines.append("]")
    FIXTURES_PATH.parent.mkdir(parents=True, exist_ok=True)
    FIXTURES_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fixtures", action="store_true", help="only write the registry and country tables")
    args = parser.parse_args()
    countries = build_countries()
    write_table(countries)
    write_country_codes()
    if not args.no_fixtures:
        write_fixtures(countries)
    print(f"{len(countries)} countries -> {TABLE_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
