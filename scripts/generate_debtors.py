#!/usr/bin/env python3
"""Deterministic generator of SEPA direct-debit debtor CSV files for Sluice.

Python 3 standard library only. The output depends only on the command-line
options: every random choice comes from one ``random.Random(seed)`` instance
(plus a fixed-seed instance for the bank pools), never from the global
``random`` module or the clock.

Columns (header, in this order)::

    external_id,first_name,last_name,email,iban,bic,amount,currency,
    mandate_id,mandate_date,address,city,postcode,country

Every data record carries at most one injected defect; the optional JSON
manifest lists them (code, record index, physical line where the record
starts) and counts them. Besides defects, "clean" records carry tolerated
variations that a correct importer must accept: IBANs in printed form
(groups of 4) or lower case, EU decimal-comma amounts ("1.234,56"), amounts
with a euro sign, empty BIC / e-mail / country, addresses with commas,
double quotes or an embedded line feed (RFC 4180 quoted).

Examples::

    python3 scripts/generate_debtors.py --rows 10000 --seed 42 \\
        --output Samples/debtors-10k.csv --manifest Samples/debtors-10k.manifest.json
    python3 scripts/generate_debtors.py --rows 1000000 --output /tmp/d1m.csv
    python3 scripts/generate_debtors.py --rows 5 --delimiter ';' --output -
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sys
import time
import unicodedata

GENERATOR_VERSION = 1

HEADER = [
    "external_id", "first_name", "last_name", "email", "iban", "bic", "amount",
    "currency", "mandate_id", "mandate_date", "address", "city", "postcode", "country",
]

# ---------------------------------------------------------------------------
# Defect codes and their per-record probabilities (at most one per record).
# ---------------------------------------------------------------------------

IBAN_DEFECTS = [
    "iban.checksum", "iban.length", "iban.country", "iban.structure",
    "iban.alias_check_digits", "iban.required",
]

DEFECT_RATES = [(code, 0.05 / len(IBAN_DEFECTS)) for code in IBAN_DEFECTS] + [
    ("name.required", 0.010),
    ("email.format", 0.010),
    ("amount.format", 0.005),
    ("amount.min", 0.003),
    ("amount.max", 0.002),
    ("currency.unsupported", 0.005),
    ("date.future", 0.003),
    ("date.invalid", 0.002),
    ("encoding.broken", 0.002),
    ("dedup.in_file", 0.010),
    ("dedup.same_iban", 0.005),
]
DEFECT_CODES = [code for code, _ in DEFECT_RATES]

# Tolerated variations of clean records (not defects).
RATE_IBAN_SPACED = 0.03      # "DE89 3704 0044 0532 0130 00"
RATE_IBAN_LOWER = 0.01       # "de89370400440532013000"
RATE_BIC_EMPTY = 0.20
RATE_BIC8 = 0.50             # of the non-empty BICs
RATE_EMAIL_EMPTY = 0.02
RATE_AMOUNT_EU = 0.10        # "12,50" / "1.234,56"
RATE_AMOUNT_SIGN = 0.03      # "€12.50" / "12.50 €"
RATE_ADDR_COMMA = 0.02
RATE_ADDR_QUOTE = 0.01
RATE_ADDR_NEWLINE = 0.005
RATE_COUNTRY_EMPTY = 0.10

FULL_MANIFEST_LIMIT = 100_000

# ---------------------------------------------------------------------------
# IBAN countries. Only countries without a national BBAN check digit are used
# (so random BBANs stay valid under strict validators), plus BE whose 2-digit
# national check is computed.
#
# code -> (iban length, bank-identifier spec, account spec, serial digits)
# spec items are (length, kind): n = digits, a = upper-case letters,
# c = upper-case letters and digits.  The account part is built as
# prefix + serial + random suffix where "serial" is a bijective permutation of
# a per-(country, bank) counter, which keeps every valid IBAN unique.
# ---------------------------------------------------------------------------

COUNTRIES = {
    "DE": (22, [(8, "n")], [(10, "n")], 8),
    "AT": (20, [(5, "n")], [(11, "n")], 8),
    "NL": (18, [(4, "a")], [(10, "n")], 8),
    "LU": (20, [(3, "n")], [(13, "c")], 8),
    "IE": (22, [(4, "a"), (6, "n")], [(8, "n")], 6),
    "LT": (20, [(5, "n")], [(11, "n")], 8),
    "LV": (21, [(4, "a")], [(13, "c")], 8),
    "GR": (27, [(3, "n"), (4, "n")], [(16, "c")], 8),
    "CY": (28, [(3, "n"), (5, "n")], [(16, "c")], 8),
    "MT": (31, [(4, "a"), (5, "n")], [(18, "c")], 8),
    "DK": (18, [(4, "n")], [(10, "n")], 8),
    "CH": (21, [(5, "n")], [(12, "c")], 8),
    "BE": (16, [(3, "n")], [(7, "n")], 6),   # + 2 national check digits
}
COUNTRY_CODES = list(COUNTRIES)
# Relative weight of each country among valid IBANs.
COUNTRY_WEIGHTS = {
    "DE": 22, "AT": 8, "NL": 12, "LU": 4, "IE": 6, "LT": 4, "LV": 3, "GR": 6,
    "CY": 3, "MT": 3, "DK": 6, "CH": 6, "BE": 10,
}
UNKNOWN_COUNTRIES = ["XX", "QQ", "ZZ", "XQ", "QZ"]
BANKS_PER_COUNTRY = 10
POSTCODES_PER_CITY = 64
DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = UPPER + DIGITS
PERM_MULT = 2654435761   # ends in 1: coprime with every power of ten

_IBAN_LETTERS = {ord(ch): str(i + 10) for i, ch in enumerate(UPPER)}


def iban_mod97(body: str) -> int:
    """(BBAN + country + check digits) mod 97 for an upper-case string."""
    return int(body.translate(_IBAN_LETTERS)) % 97


def iban_check_digits(country: str, bban: str) -> str:
    return "%02d" % (98 - iban_mod97(bban + country + "00"))


def iban_is_valid(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if len(s) < 5 or not s.isalnum() or not s.isascii():
        return False
    return iban_mod97(s[4:] + s[:4]) == 1


def iban_pattern(country: str) -> str:
    """Regular expression of a compact valid IBAN of a generator country."""
    _, bank, acct, _ = COUNTRIES[country]
    parts = []
    for length, kind in bank + acct + ([(2, "n")] if country == "BE" else []):
        parts.append({"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}[kind] + "{%d}" % length)
    return "^" + country + "[0-9]{2}" + "".join(parts) + "$"


def printed_iban(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


# ---------------------------------------------------------------------------
# Name, street and city pools.
# ---------------------------------------------------------------------------

def _w(s: str) -> list[str]:
    return [x.strip() for x in s.split("|") if x.strip()]


FIRST = {
    "de": _w("Lukas|Jürgen|Günter|Jörg|Björn|Sören|Käthe|Anna|Maximilian|Sophie|Hannah|Felix|Leonie|"
             "Klaus|Dieter|Ursula|Hans-Jürgen|Marie-Luise|Stefan|Sabine|Wolfgang|Uwe|Bärbel|Lena|"
             "Jonas|Paul|Emma|Mia|Till|Heike|Gerd|Ingrid|Rüdiger|Dörte|Frauke|Karl-Heinz"),
    "at": _w("Florian|Johanna|Sepp|Theresa|Lorenz|Vroni|Matthäus|Valentina|Elias|Kathi|Ferdinand|Magdalena"),
    "ch": _w("Urs|Beat|Reto|Ueli|Nadine|Corinne|Regula|Mattia|Andrea|Lisbeth|Noé|Séverine"),
    "fr": _w("Françoise|Jean-Pierre|Amélie|Hélène|Étienne|Léa|Chloé|Noël|Anaïs|Gaëlle|Jérôme|Mathéo|"
             "Zoë|Céline|François|Loïc|Maëlle|Benoît|Thérèse|Marie-Claire|Raphaël|Inès|Cécile|Aurélien|"
             "Camille|Pierre|Océane|Joël"),
    "nl": _w("Daan|Sem|Lotte|Femke|Sanne|Joost|Maarten|Bram|Anouk|Eva|Ruud|Wouter|Sjoerd|Ilse|Marijke|"
             "Thijs|Noor|Jeroen|Geert|Hendrik|Chloë|Gijs|Romée|Floor"),
    "be": _w("Wout|Jef|Liesbeth|Brecht|Kobe|Griet|Sien|Arne|Maxime|Dries|Zoë|Noémie"),
    "ie": _w("Aoife|Siobhán|Seán|Niamh|Ciarán|Éabha|Caoimhe|Pádraig|Róisín|Oisín|Conor|Saoirse|Eoin|"
             "Máire|Dónal|Aisling|Liam|Cian|Sinéad|Tadhg"),
    "lt": _w("Jonas|Lukas|Matas|Gabija|Emilija|Austėja|Ugnė|Kęstutis|Žygimantas|Rūta|Vytautas|Aušra|"
             "Dainius|Gintarė|Šarūnas|Rasa|Tomas|Agnė"),
    "lv": _w("Jānis|Andris|Mārtiņš|Kristaps|Līga|Anna|Ilze|Ieva|Dace|Artūrs|Elīna|Edgars|Kārlis|Ģirts|"
             "Zane|Baiba|Raimonds"),
    "gr": _w("Georgios|Dimitrios|Konstantinos|Ioannis|Nikolaos|Maria|Eleni|Aikaterini|Vasiliki|Sofia|"
             "Panagiotis|Christos|Athanasios|Despoina|Eirini|Γιώργος|Μαρία|Ελένη|Δημήτρης|Νίκος|Σοφία"),
    "cy": _w("Andreas|Christakis|Panayiotis|Antonis|Androulla|Eleni|Stelios|Marios|Chrystalla|Κώστας|Άννα"),
    "mt": _w("Ġorġ|Ġużeppi|Marija|Pawlu|Ċensu|Rita|Karmenu|Mario|Joseph|Maria|Ċettina|Luqa|Kurt|Tanya"),
    "dk": _w("Søren|Øyvind|Åse|Bjørn|Jørgen|Mette|Signe|Rasmus|Freja|Mikkel|Astrid|Kirsten|Tove|Ida|"
             "Mads|Frederikke|Anders|Sofie"),
    "es": _w("José|María|Jesús|Ángel|Lucía|Martín|Inés|Nuria|Begoña|Íñigo|Ramón|Álvaro|Sofía|Maite"),
    "pt": _w("João|Conceição|Sebastião|Inês|Gonçalo|Joana|Tomás|Leonor"),
    "it": _w("Giuseppe|Giovanni|Francesca|Niccolò|Lucia|Chiara|Matteo|Beatrice|Alessandro|Giulia"),
    "pl": _w("Łukasz|Małgorzata|Wojciech|Paweł|Zofia|Katarzyna|Grzegorz|Michał|Agnieszka|Jędrzej|"
             "Bartłomiej|Ewa|Krzysztof|Żaneta"),
    "cz": _w("Jiří|Tomáš|Petr|Jana|Eva|Lenka|Kateřina|Lucie|Zdeněk|Věra|Radek|Ondřej"),
    "se": _w("Åsa|Göran|Linnéa|Mikael|Ingrid|Björn|Päivi|Jukka|Aino|Eetu"),
    "hu": _w("Gergő|Zsófia|Bence|Ildikó|Ádám|Réka|László|Tünde"),
    "en": _w("Zoë|Oliver|Amelia|Harry|Isla|Noël|Chloë|Jack"),
}

LAST = {
    "de": _w("Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|"
             "Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
             "Hartmann|Lange|Schmitt|Werner|Krause|Köhler|Groß|Weiß|Jäger|Müller-Lüdenscheid|"
             "von Bülow|Meier-Heß|Strauß|Fuchs|Vogel|Günther|Schmidt-Rüdiger|Oßwald"),
    "at": _w("Gruber|Huber|Wimmer|Pichler|Moser|Steiner|Leitner|Eder|Mayr|Hölzl|Haßler|Brandstätter|"
             "Egger|Höfler"),
    "ch": _w("Brunner|Keller|Baumann|Frei|Gerber|Widmer|Meier|Schnyder|Bühler|Zürcher|Rüegg|"
             "Favre|Rochat|Bernasconi"),
    "fr": _w("Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|"
             "Lefèvre|Michel|Fournier|Girard|Bonnet|Dupont|Lambert|Fontaine|Rousseau|Vincent|Mercier|"
             "Boucher|D'Aubigné|Martin-Dupont|Lemaître|Gérard|Côté|Châtelain|de la Fontaine|Lefèbvre"),
    "nl": _w("de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Visser|Smit|Meijer|de Boer|"
             "Mulder|de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|van 't Hof|'t Hart|"
             "IJzerman|van der Meer|Janssen"),
    "be": _w("Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|De Smet|"
             "Van den Broeck|Vandenberghe|Desmet|Verstraete|Dubois-Lemaire|Van Damme|Hermans"),
    "ie": _w("O'Brien|O'Sullivan|Murphy|Kelly|Walsh|O'Connor|Byrne|Ryan|O'Neill|McCarthy|Ó Briain|"
             "Mac Giolla|Ní Bhriain|Doyle|Gallagher|Ó Súilleabháin|Fitzgerald|Kavanagh|MacNamara|"
             "D'Arcy|Ó Conchúir"),
    "lt": _w("Kazlauskas|Jankauskas|Petrauskas|Stankevičius|Vasiliauskas|Žukauskas|Butkus|"
             "Paulauskas|Urbonas|Kavaliauskas|Navickas|Šimkus|Ramanauskas|Balčiūnas|Jurgaitytė|"
             "Kazlauskienė|Sabonis"),
    "lv": _w("Bērziņš|Kalniņš|Ozoliņš|Jansons|Ozols|Liepiņš|Krūmiņš|Balodis|Eglītis|Zariņš|"
             "Pētersons|Vītols|Kļaviņš|Bērziņa|Ozoliņa|Kalniņa"),
    "gr": _w("Papadopoulos|Papadakis|Georgiou|Nikolaidis|Karagiannis|Vlachos|Oikonomou|"
             "Konstantinidis|Dimitriou|Pappas|Papadopoulou|Παπαδόπουλος|Γεωργίου|Οικονόμου|Βλάχος"),
    "cy": _w("Christodoulou|Ioannou|Kyriakou|Charalambous|Constantinou|Panayiotou|Savva|"
             "Hadjigeorgiou|Χαραλάμπους|Ιωάννου"),
    "mt": _w("Borg|Camilleri|Vella|Farrugia|Zammit|Galea|Micallef|Grech|Attard|Spiteri|Azzopardi|"
             "Mifsud|Cassar|Xuereb|Debono|Sammut|Caruana|Abela|Buħagiar|Żammit"),
    "dk": _w("Jensen|Nielsen|Hansen|Pedersen|Andersen|Christensen|Larsen|Sørensen|Rasmussen|"
             "Jørgensen|Petersen|Madsen|Kristensen|Østergaard|Møller|Nørgaard|Bækgaard|Kjær|Lund|"
             "Holm|Dahl|Ødegård"),
    "es": _w("García|Rodríguez|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Núñez|Ñúñez|Muñoz|"
             "Ibáñez|Peña|Ortiz-Castaño|Güell"),
    "pt": _w("Gonçalves|Magalhães|Brandão|Simões|Conceição|Araújo|Fernandes"),
    "it": _w("Rossi|Russo|Ferrari|Esposito|D'Angelo|Dell'Acqua|De Luca|Colombo|Ricci|Mancini|Lo Russo|Niccolò"),
    "pl": _w("Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński|Szymański|"
             "Woźniak|Dąbrowski|Kozłowski|Jabłoński|Król|Łukaszewicz|Gałązka"),
    "cz": _w("Dvořák|Novák|Svoboda|Novotný|Černý|Procházka|Kučera|Veselý|Horák|Němec|Marková|"
             "Dvořáková|Růžička"),
    "se": _w("Åkesson|Öberg|Lindström|Ångström|Mäkinen|Virtanen|Hämäläinen|Järvinen"),
    "hu": _w("Kovács|Szabó|Tóth|Horváth|Kiss|Nagy|Szőke|Erdős"),
    "en": _w("Smith|Jones|Taylor|Brown|Smith-Jones|O'Hara|Clarke"),
}

# Name groups per IBAN country; a quarter of the names come from everywhere.
COUNTRY_NAME_GROUPS = {
    "DE": ["de"], "AT": ["de", "at"], "CH": ["ch", "de", "fr", "it"], "LU": ["fr", "de"],
    "NL": ["nl"], "BE": ["be", "fr", "nl"], "IE": ["ie", "en"], "LT": ["lt"], "LV": ["lv"],
    "GR": ["gr"], "CY": ["cy", "gr"], "MT": ["mt", "en"], "DK": ["dk"],
}

# street templates per country: "{n}" = house number
STREETS = {
    "DE": _w("Hauptstraße {n}|Bahnhofstraße {n}|Schillerstraße {n}|Goethestraße {n}|Lindenallee {n}|"
             "Am Markt {n}|Gartenweg {n}|Kirchplatz {n}|Mühlenweg {n}|Friedrich-Ebert-Straße {n}|"
             "Königsallee {n}|Schloßstraße {n}|Rosenstraße {n}|Am Hügel {n}"),
    "AT": _w("Mariahilfer Straße {n}|Landstraßer Hauptstraße {n}|Wiener Straße {n}|Hauptplatz {n}|"
             "Grazer Straße {n}|Kärntner Ring {n}|Linzer Gasse {n}"),
    "CH": _w("Bahnhofstrasse {n}|Seestrasse {n}|Rue du Rhône {n}|Via Cantonale {n}|Dorfstrasse {n}|"
             "Zürichstrasse {n}|Avenue de la Gare {n}"),
    "LU": _w("Rue de la Gare {n}|Avenue de la Liberté {n}|Grand-Rue {n}|Boulevard Royal {n}|"
             "Rue de Hollerich {n}|Route d'Arlon {n}"),
    "NL": _w("Kerkstraat {n}|Dorpsstraat {n}|Molenweg {n}|Prinsengracht {n}|Herengracht {n}|"
             "Keizersgracht {n}|Stationsplein {n}|Schoolstraat {n}|'s-Gravendijkwal {n}|Laan van Meerdervoort {n}"),
    "BE": _w("Rue de la Loi {n}|Avenue Louise {n}|Kerkstraat {n}|Stationsstraat {n}|"
             "Chaussée de Waterloo {n}|Meir {n}|Grote Markt {n}|Rue Royale {n}"),
    "IE": _w("{n} Main Street|{n} O'Connell Street|{n} Dublin Road|{n} Patrick Street|{n} Grafton Street|"
             "{n} Church Road|{n} Bóthar na Trá|{n} Shop Street"),
    "LT": _w("Gedimino pr. {n}|Vilniaus g. {n}|Laisvės al. {n}|Pilies g. {n}|Savanorių pr. {n}|Žalgirio g. {n}"),
    "LV": _w("Brīvības iela {n}|Elizabetes iela {n}|Krišjāņa Barona iela {n}|Tērbatas iela {n}|"
             "Dzirnavu iela {n}|Ausekļa iela {n}"),
    "GR": _w("Ermou {n}|Panepistimiou {n}|Leoforos Vasilissis Sofias {n}|Stadiou {n}|Egnatia {n}|"
             "Ερμού {n}|Πανεπιστημίου {n}"),
    "CY": _w("Makariou Avenue {n}|Ledras Street {n}|Griva Digeni Avenue {n}|Archbishop Kyprianou {n}|"
             "Λεωφόρος Μακαρίου {n}"),
    "MT": _w("Triq il-Kbira {n}|Triq ir-Repubblika {n}|Triq San Pawl {n}|Triq il-Merkanti {n}|"
             "Triq San Ġwann {n}|Triq iż-Żagħfran {n}"),
    "DK": _w("Østergade {n}|Nørregade {n}|Vesterbrogade {n}|Strøget {n}|Åboulevarden {n}|"
             "Søndergade {n}|Kongens Nytorv {n}|Bøgevej {n}"),
}

# city | postcode template: '#' = random digit, '@' = random letter
CITIES = {
    "DE": _w("Berlin:10###|München:80###|Köln:50###|Düsseldorf:40###|Frankfurt am Main:60###|"
             "Hamburg:20###|Nürnberg:90###|Dresden:01###|Leipzig:04###|Görlitz:02###|Würzburg:97###|"
             "Lübeck:23###|Saarbrücken:66###|Mönchengladbach:41###|Osnabrück:49###|Göttingen:37###"),
    "AT": _w("Wien:1#0#|Graz:80##|Linz:40##|Salzburg:50##|Innsbruck:60##|Klagenfurt am Wörthersee:90##|"
             "Sankt Pölten:31##|Wörgl:6300"),
    "CH": _w("Zürich:80##|Genève:12##|Basel:40##|Bern:30##|Lausanne:10##|Luzern:60##|Biel/Bienne:25##|"
             "Neuchâtel:20##|Lugano:69##"),
    "LU": _w("Luxembourg:1###|Esch-sur-Alzette:4###|Differdange:45##|Dudelange:34##|Ettelbruck:90##"),
    "NL": _w("Amsterdam:10## @@|Rotterdam:30## @@|Den Haag:25## @@|Utrecht:35## @@|Eindhoven:56## @@|"
             "Groningen:97## @@|'s-Hertogenbosch:52## @@|Maastricht:62## @@|Den Helder:17## @@"),
    "BE": _w("Bruxelles:10##|Antwerpen:20##|Gent:90##|Liège:40##|Brugge:80##|Namur:50##|Leuven:30##|"
             "Mons:70##|Sint-Niklaas:91##"),
    "IE": _w("Dublin:D0# @###|Cork:T12 @###|Galway:H91 @###|Limerick:V94 @###|Waterford:X91 @###|"
             "Dún Laoghaire:A96 @###"),
    "LT": _w("Vilnius:LT-0####|Kaunas:LT-4####|Klaipėda:LT-9####|Šiauliai:LT-7####|Panevėžys:LT-3####"),
    "LV": _w("Rīga:LV-10##|Daugavpils:LV-54##|Liepāja:LV-34##|Jelgava:LV-30##|Jūrmala:LV-20##"),
    "GR": _w("Athina:10# ##|Thessaloniki:54# ##|Patra:26# ##|Irakleio:71# ##|Larisa:41# ##|Αθήνα:10# ##"),
    "CY": _w("Lefkosia:1###|Lemesos:3###|Larnaka:6###|Pafos:8###|Ammochostos:5###"),
    "MT": _w("Valletta:VLT 1###|Sliema:SLM 1###|Birkirkara:BKR 4###|Qormi:QRM 2###|Żebbuġ:ZBG 1###|"
             "Mosta:MST 1###"),
    "DK": _w("København:1###|Aarhus:8000|Odense:5###|Aalborg:9000|Esbjerg:67##|Randers:89##|"
             "Næstved:47##|Hørsholm:2970"),
}

ADDR_COMMA_TAILS = _w(", Bât. B|, 2. OG|, Apt. 4|, c/o Familie Weber|, 3. th.|, Hinterhaus|, Top 7|"
                      ", Flat 2|, Boîte 3|, 1er étage")
ADDR_QUOTE_TAILS = ['/ Haus "Sonnenblick"', '/ Villa "Rosa"', '/ Résidence "Le Parc"',
                    '/ Gebouw "De Toren"', '/ "The Old Mill"']
ADDR_SECOND_LINES = _w("Hinterhaus|2. Stock|Bât. B|Apartment 4|c/o Weber|Postfach 12 34|Rückgebäude")

EMAIL_DOMAINS = _w("example.com|example.net|example.org|mail.example.com|post.example.net|web.example.org")

GREEK_TRANSLIT = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
    ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s",
     "t", "y", "f", "ch", "ps", "o", "a", "e", "i", "i", "o", "y", "o", "i", "y", "i", "y"]))
SPECIAL_FOLD = {
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "ß": "ss", "Đ": "D", "đ": "d",
    "Œ": "OE", "œ": "oe", "ı": "i", "Þ": "Th", "þ": "th", "Ð": "D", "ð": "d", "Ħ": "H", "ħ": "h",
}


def ascii_fold(s: str) -> str:
    out = []
    for ch in s:
        if ch.isascii():
            out.append(ch)
            continue
        low = ch.lower()
        if low in GREEK_TRANSLIT:
            t = GREEK_TRANSLIT[low]
            out.append(t.capitalize() if ch != low else t)
            continue
        if ch in SPECIAL_FOLD:
            out.append(SPECIAL_FOLD[ch])
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if c.isascii()))
    return "".join(out)


def encodable_form(s: str, encoding: str) -> str:
    """s itself, or with every character the encoding lacks folded to ASCII."""
    try:
        s.encode(encoding)
        return s
    except UnicodeEncodeError:
        pass
    out = []
    for ch in s:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            out.append(ascii_fold(ch))
    return "".join(out)


def email_slug(name: str) -> str:
    s = ascii_fold(name).lower()
    return "".join(c for c in s if c.isalnum() or c == "-")


def mojibake(name: str) -> str | None:
    """The name's UTF-8 bytes read as Windows-1252 ("José" -> "JosÃ©"), if printable."""
    if name.isascii():
        return None
    try:
        broken = name.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(c)[0] in "CZ" and c != " " for c in broken):
        return None
    return broken


def replacement_char(name: str) -> str | None:
    """The name with its first non-ASCII character replaced by U+FFFD ("Jos\ufffd")."""
    for i, ch in enumerate(name):
        if not ch.isascii():
            return name[:i] + "\ufffd" + name[i + 1:]
    return None


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------

class Config:
    def __init__(self, rows, seed, delimiter, encoding, crlf, bom, full_manifest):
        self.rows = rows
        self.seed = seed
        self.delimiter = delimiter
        self.encoding = encoding
        self.crlf = crlf
        self.bom = bom
        self.full_manifest = full_manifest


def _pick_weighted_list(weights: dict[str, int]) -> list[str]:
    out = []
    for key, w in weights.items():
        out.extend([key] * w)
    return out


def _fill(rng: random.Random, spec: list[tuple[int, str]]) -> str:
    out = []
    for length, kind in spec:
        chars = {"n": DIGITS, "a": UPPER, "c": ALNUM}[kind]
        out.append("".join(rng.choice(chars) for _ in range(length)))
    return "".join(out)


def build_banks():
    """Fixed (seed-independent) bank pools: per country a list of (bank id, BIC8, branches)."""
    brng = random.Random(0x51_0CE)
    banks = {}
    for cc in COUNTRY_CODES:
        _, bank_spec, _, _ = COUNTRIES[cc]
        seen = set()
        entries = []
        while len(entries) < BANKS_PER_COUNTRY:
            bank_id = _fill(brng, bank_spec)
            if bank_spec[0][1] == "a":
                bic_bank = bank_id[:4]
            else:
                bic_bank = "".join(brng.choice(UPPER) for _ in range(4))
            if bank_id in seen or bic_bank in seen:
                continue
            seen.add(bank_id)
            seen.add(bic_bank)
            loc = brng.choice(UPPER.replace("O", "")) + brng.choice("23456789ABCDEFGHJKLMNPRSTUVWXYZ")
            bic8 = bic_bank + cc + loc
            branches = ["".join(brng.choice("ABCDEFGHJKLMNPRSTUVW23456789") for _ in range(3))
                        for _ in range(3)] + ["XXX"]
            entries.append((bank_id, bic8, branches, bank_id.translate(_IBAN_LETTERS)))
        banks[cc] = entries
    return banks


def _fmt_template(rng_random, tmpl: str) -> str:
    out = []
    for ch in tmpl:
        if ch == "#":
            out.append(DIGITS[int(rng_random() * 10)])
        elif ch == "@":
            out.append("ABCEGHJKLMNPRTVWXYZ"[int(rng_random() * 19)])
        else:
            out.append(ch)
    return "".join(out)


def _dates():
    """(Y-m-d, d.m.Y, d/m/Y) strings of every day 2019-01-01..2025-12-31."""
    import datetime
    d = datetime.date(2019, 1, 1)
    end = datetime.date(2025, 12, 31)
    one = datetime.timedelta(days=1)
    iso, dot, slash = [], [], []
    while d <= end:
        iso.append(d.strftime("%Y-%m-%d"))
        dot.append(d.strftime("%d.%m.%Y"))
        slash.append(d.strftime("%d/%m/%Y"))
        d += one
    return iso, dot, slash


INVALID_DATES = ["2023-02-30", "2022-02-29", "2021-04-31", "2020-13-01", "2024-00-15", "2019-06-31",
                 "2023-11-31", "31.06.2023", "30.02.2021", "31/04/2022", "29/02/2023", "2022-09-31"]
INVALID_AMOUNTS = ["abc", "12.5.5", "1O.50", "N/A", "12..50", "--12.50", "EUR", "12,3,4", "1 2 3"]


def _quote(field: str, specials: str) -> str:
    for ch in specials:
        if ch in field:
            return '"' + field.replace('"', '""') + '"'
    return field


def generate(cfg: Config, write, want_defects: bool):
    """Generate the file, calling write(bytes) for each chunk. Returns the manifest dict."""
    rng = random.Random(cfg.seed)
    rnd = rng.random
    delim = cfg.delimiter
    enc = "cp1252" if cfg.encoding == "windows-1252" else "utf-8"
    eol = "\r\n" if cfg.crlf else "\n"
    specials = delim + '"\r\n'

    def safe(s: str) -> str:
        return encodable_form(s, enc)

    # ---- pools -----------------------------------------------------------
    banks = build_banks()
    country_pick = _pick_weighted_list(COUNTRY_WEIGHTS)
    n_country_pick = len(country_pick)

    def uniq(seq):
        seen, out = set(), []
        for x in seq:
            if x not in seen:
                seen.add(x)
                out.append(x)
        return out

    all_first = uniq(n for g in FIRST.values() for n in g)
    all_last = uniq(n for g in LAST.values() for n in g)
    first_pool, last_pool = {}, {}
    for cc in COUNTRY_CODES:
        local_f = [n for g in COUNTRY_NAME_GROUPS[cc] for n in FIRST[g]]
        local_l = [n for g in COUNTRY_NAME_GROUPS[cc] for n in LAST[g]]
        # local names 3:1 against the all-Europe pool (by list weighting)
        fp = local_f * max(1, (3 * len(all_first)) // max(1, len(local_f))) + all_first
        lp = local_l * max(1, (3 * len(all_last)) // max(1, len(local_l))) + all_last
        first_pool[cc] = [(safe(n), email_slug(n)) for n in fp]
        last_pool[cc] = [(safe(n), email_slug(n)) for n in lp]
    def broken_names(names):
        pool = []
        for n in names:
            shown = safe(n)
            mb = mojibake(shown)
            if mb is not None:
                pool.append((mb, email_slug(n)))
            if enc == "utf-8":      # U+FFFD cannot be written in Windows-1252
                rc = replacement_char(shown)
                if rc is not None:
                    pool.append((rc, email_slug(n)))
        return pool
    broken_first = broken_names(all_first)
    broken_last = broken_names(all_last)
    streets = {cc: [safe(s) for s in STREETS[cc]] for cc in COUNTRY_CODES}
    # city -> pool of postcodes drawn once from its template (postcodes repeat, as in real files)
    cities = {}
    for cc in COUNTRY_CODES:
        cities[cc] = []
        for c in CITIES[cc]:
            name, tmpl = c.split(":")
            cities[cc].append((safe(name), [_fmt_template(rnd, tmpl) for _ in range(POSTCODES_PER_CITY)]))
    comma_tails = [safe(s) for s in ADDR_COMMA_TAILS]
    quote_tails = [safe(s) for s in ADDR_QUOTE_TAILS]
    second_lines = [safe(s) for s in ADDR_SECOND_LINES]
    date_iso, date_dot, date_slash = _dates()
    n_dates = len(date_iso)
    for pool in list(first_pool.values()) + list(last_pool.values()) + [broken_first, broken_last]:
        for shown, slug in pool:
            assert shown.strip() and slug, (shown, slug)
            assert not any(c in shown for c in ',;|\t"\r\n'), shown
            shown.encode(enc)
    for cc in COUNTRY_CODES:
        for s in streets[cc]:
            assert not any(c in s for c in ',;|\t"\r\n'), s
        for city, _ in cities[cc]:
            assert not any(c in city for c in ',;|\t"\r\n'), city

    # per-(country, bank) serial counters and permutation offsets (seed-dependent)
    serial = {cc: [0] * BANKS_PER_COUNTRY for cc in COUNTRY_CODES}
    perm_add = {cc: [rng.randrange(10 ** COUNTRIES[cc][3]) for _ in range(BANKS_PER_COUNTRY)]
                for cc in COUNTRY_CODES}
    cc_digits = {cc: (cc + "00").translate(_IBAN_LETTERS) for cc in COUNTRY_CODES}
    acct_layout = {}
    for cc in COUNTRY_CODES:
        _, _, acct_spec, sdig = COUNTRIES[cc]
        (alen, akind), = acct_spec
        suffix = 2 if cc != "BE" else 1
        prefix = alen - sdig - suffix
        assert prefix >= 0
        acct_layout[cc] = (akind, prefix, sdig, suffix, 10 ** sdig, PERM_MULT % (10 ** sdig))

    def make_bban(cc: str):
        """A valid BBAN for cc plus its bank entry. Unique per run (serial permutation)."""
        bi = int(rnd() * BANKS_PER_COUNTRY)
        bank = banks[cc][bi]
        akind, prefix, sdig, suffix, mod, mult = acct_layout[cc]
        k = serial[cc][bi]
        serial[cc][bi] = k + 1
        s = "%0*d" % (sdig, (k * mult + perm_add[cc][bi]) % mod)
        pre = ""
        if prefix:
            if akind == "c" and rnd() < 0.25:
                pos = int(rnd() * prefix)
                digs = "%0*d" % (prefix, int(rnd() * 10 ** prefix))
                pre = digs[:pos] + UPPER[int(rnd() * 26)] + digs[pos + 1:]
            elif akind == "c" and rnd() < 0.5:
                pre = "0" * prefix          # zero-padded account numbers are common
            else:
                pre = "%0*d" % (prefix, int(rnd() * 10 ** prefix))
        tail = pre + s + "%0*d" % (suffix, int(rnd() * 10 ** suffix))
        bban = bank[0] + tail
        if cc == "BE":
            chk = "%02d" % (int(bban) % 97 or 97)
            bban += chk
            tail += chk
        # IBAN check digits; letters of the (fixed) bank id are pre-translated
        if not tail.isdigit():
            tail = tail.translate(_IBAN_LETTERS)
        check = "%02d" % (98 - int(bank[3] + tail + cc_digits[cc]) % 97)
        return bban, bank, check

    def make_bic(bank):
        r = rnd()
        if r < RATE_BIC_EMPTY:
            return ""
        if r < RATE_BIC_EMPTY + (1 - RATE_BIC_EMPTY) * RATE_BIC8:
            return bank[1]
        return bank[1] + bank[2][int(rnd() * len(bank[2]))]

    def make_cents():
        r = rnd()
        if r < 0.95:
            return 199 + int(rnd() * 9801)              # 1.99 .. 99.99
        if r < 0.99:
            return 10000 + int(rnd() * 90000)           # 100.00 .. 999.99
        return 100000 + int(rnd() * 400000)             # 1000.00 .. 4999.99

    def fmt_amount(cents: int, variant: float) -> tuple[str, str | None]:
        e, c = divmod(cents, 100)
        if variant < RATE_AMOUNT_EU:
            if e >= 1000:
                s = "%d.%03d,%02d" % (e // 1000, e % 1000, c)
            else:
                s = "%d,%02d" % (e, c)
            return s, "amount_eu"
        if variant < RATE_AMOUNT_EU + RATE_AMOUNT_SIGN:
            if variant < RATE_AMOUNT_EU + RATE_AMOUNT_SIGN / 2:
                return "€%d.%02d" % (e, c), "amount_sign"
            return "%d.%02d €" % (e, c), "amount_sign"
        return "%d.%02d" % (e, c), None

    def make_email(fslug, lslug):
        d = EMAIL_DOMAINS[int(rnd() * len(EMAIL_DOMAINS))]
        r = rnd()
        if not fslug:
            return "%s%d@%s" % (lslug, int(rnd() * 100), d)
        if not lslug:
            return "%s%d@%s" % (fslug, int(rnd() * 100), d)
        if r < 0.45:
            return "%s.%s@%s" % (fslug, lslug, d)
        if r < 0.65:
            return "%s.%s@%s" % (fslug[0], lslug, d)
        if r < 0.80:
            return "%s%s%d@%s" % (fslug, lslug, int(rnd() * 100), d)
        if r < 0.90:
            return "%s.%s@%s" % (lslug, fslug, d)
        return "%s_%s@%s" % (fslug, lslug, d)

    # ---- defect selection --------------------------------------------------
    thresholds = []
    acc = 0.0
    for _, rate in DEFECT_RATES:
        acc += rate
        thresholds.append(acc)
    defect_total_rate = acc

    counts = {code: 0 for code in DEFECT_CODES}
    variations = {k: 0 for k in ("iban_spaced", "iban_lower", "bic_empty", "email_empty", "amount_eu",
                                 "amount_sign", "address_comma", "address_quote", "address_newline",
                                 "country_empty")}
    defects = []          # (record, line, code, field, value, first_record, first_line)

    # reservoir of earlier clean records: (row text, record, line, fields, cents, extra lines)
    RES_SIZE = 2048
    reservoir = []
    n_clean = 0

    header = delim.join(HEADER)
    buf = [header]
    line = 2              # physical line where the next record starts
    CHUNK = 20000
    bom_written = False

    def flush():
        nonlocal bom_written
        data = (eol.join(buf) + eol).encode(enc)
        if cfg.bom and not bom_written:
            data = b"\xef\xbb\xbf" + data
        bom_written = True
        write(data)
        buf.clear()

    rows = cfg.rows
    for rec in range(1, rows + 1):
        r = rnd()
        code = None
        if r < defect_total_rate:
            code = DEFECT_CODES[bisect.bisect_right(thresholds, r)]
            if code in ("dedup.in_file", "dedup.same_iban") and not reservoir:
                code = None      # nothing to duplicate yet: plain clean record

        if code == "dedup.in_file":
            src = reservoir[int(rnd() * len(reservoir))]
            text, src_rec, src_line, _, _, extra = src
            buf.append(text)
            counts[code] += 1
            if want_defects:
                defects.append((rec, line, code, "external_id", None, src_rec, src_line))
            line += 1 + extra
            if len(buf) >= CHUNK:
                flush()
            continue

        ext = "EXT-%08d" % rec
        mandate = "MNDT-%08d" % rec

        if code == "dedup.same_iban":
            src = reservoir[int(rnd() * len(reservoir))]
            _, src_rec, src_line, f, src_cents, _ = src
            cents = make_cents()
            while cents == src_cents:
                cents = make_cents()
            amount, _ = fmt_amount(cents, 1.0)
            fields = list(f)
            fields[0] = ext
            fields[6] = amount
            fields[8] = mandate
            fields[9] = date_iso[int(rnd() * n_dates)]
            addr_extra = f[10].count("\n")
            buf.append(delim.join(fields))
            counts[code] += 1
            if want_defects:
                defects.append((rec, line, code, "iban", f[4], src_rec, src_line))
            line += 1 + addr_extra
            if len(buf) >= CHUNK:
                flush()
            continue

        # ---- a fresh record --------------------------------------------------
        cc = country_pick[int(rnd() * n_country_pick)]
        fp = first_pool[cc]
        lp = last_pool[cc]
        first, fslug = fp[int(rnd() * len(fp))]
        last, lslug = lp[int(rnd() * len(lp))]

        # IBAN
        bban, bank, check = make_bban(cc)
        iban = cc + check + bban
        bic = make_bic(bank)
        field = value = None
        if code is None or not code.startswith("iban."):
            v = rnd()
            if v < RATE_IBAN_SPACED:
                iban_out = printed_iban(iban)
                variations["iban_spaced"] += 1
            elif v < RATE_IBAN_SPACED + RATE_IBAN_LOWER:
                iban_out = iban.lower()
                variations["iban_lower"] += 1
            else:
                iban_out = iban
        else:
            field = "iban"
            if code == "iban.checksum":
                good = iban[2:4]
                while True:
                    chk = "%02d" % (2 + int(rnd() * 97))     # 02..98
                    if chk != good:
                        break
                iban_out = cc + chk + bban
            elif code == "iban.length":
                pos = 4 + int(rnd() * (len(iban) - 4))
                if rnd() < 0.5:
                    iban_out = iban[:pos] + iban[pos + 1:]
                else:
                    iban_out = iban[:pos] + DIGITS[int(rnd() * 10)] + iban[pos:]
            elif code == "iban.country":
                fake = UNKNOWN_COUNTRIES[int(rnd() * len(UNKNOWN_COUNTRIES))]
                iban_out = fake + iban_check_digits(fake, bban) + bban
            elif code == "iban.structure":
                if cc in ("BE", "LV"):
                    # BE: a letter would also break the national check; LV has no digit-only
                    # position. Use a German IBAN instead.
                    cc = "DE"
                    bban, bank, _ = make_bban(cc)
                    bic = make_bic(bank)
                    fp, lp = first_pool[cc], last_pool[cc]
                # positions (in the BBAN) that must be digits
                _, bank_spec, acct_spec, _ = COUNTRIES[cc]
                npos, p = [], 0
                for length, kind in bank_spec + acct_spec:
                    if kind == "n":
                        npos.extend(range(p, p + length))
                    p += length
                pos = npos[int(rnd() * len(npos))]
                bad = bban[:pos] + UPPER[int(rnd() * 26)] + bban[pos + 1:]
                iban_out = cc + iban_check_digits(cc, bad) + bad
            elif code == "iban.alias_check_digits":
                iban_out = cc + ("00", "01", "99")[int(rnd() * 3)] + bban
            else:  # iban.required
                iban_out = ""
            value = iban_out

        # names
        if code == "name.required":
            field = "first_name" if rnd() < 0.5 else "last_name"
            if field == "first_name":
                first, fslug = "", ""
            else:
                last, lslug = "", ""
            value = ""
        elif code == "encoding.broken":
            if rnd() < 0.5:
                first, fslug = broken_first[int(rnd() * len(broken_first))]
                field, shown = "first_name", first
            else:
                last, lslug = broken_last[int(rnd() * len(broken_last))]
                field, shown = "last_name", last
            value = shown

        # email
        if code == "email.format":
            e = make_email(fslug, lslug)
            k = int(rnd() * 5)
            at = e.index("@")
            if k == 0:
                email = e.replace("@", ".", 1)                 # missing @
            elif k == 1:
                email = e.replace("@", "@@", 1)                # double @@
            elif k == 2:
                email = e[:1] + " " + e[1:]                    # space in local part
            elif k == 3:
                email = e[:at + 1]                             # no domain
            else:
                email = e[at:]                                 # no local part
            field, value = "email", email
        elif rnd() < RATE_EMAIL_EMPTY:
            email = ""
            variations["email_empty"] += 1
        else:
            email = make_email(fslug, lslug)

        # amount
        cents = make_cents()
        if code == "amount.format":
            amount = INVALID_AMOUNTS[int(rnd() * len(INVALID_AMOUNTS))]
            field, value = "amount", amount
        elif code == "amount.min":
            amount = "0.%02d" % int(rnd() * 10)
            field, value = "amount", amount
        elif code == "amount.max":
            amount = "%d.%02d" % (50001 + int(rnd() * 950000), int(rnd() * 100))
            field, value = "amount", amount
        else:
            amount, var = fmt_amount(cents, rnd())
            if var is not None:
                variations[var] += 1
        if "," in amount or '"' in amount:
            amount = _quote(amount, specials)

        if code == "currency.unsupported":
            currency = "USD"
            field, value = "currency", currency
        else:
            currency = "EUR"

        # mandate date
        if code == "date.future":
            mdate = "2031-%02d-%02d" % (1 + int(rnd() * 12), 1 + int(rnd() * 28))
            field, value = "mandate_date", mdate
        elif code == "date.invalid":
            mdate = INVALID_DATES[int(rnd() * len(INVALID_DATES))]
            field, value = "mandate_date", mdate
        else:
            v = rnd()
            di = int(rnd() * n_dates)
            mdate = date_iso[di] if v < 0.85 else (date_dot[di] if v < 0.95 else date_slash[di])

        # address
        st = streets[cc]
        address = st[int(rnd() * len(st))].replace("{n}", str(1 + int(rnd() * 180)))
        v = rnd()
        extra = 0
        if v < RATE_ADDR_COMMA:
            address += comma_tails[int(rnd() * len(comma_tails))]
            variations["address_comma"] += 1
        elif v < RATE_ADDR_COMMA + RATE_ADDR_QUOTE:
            address += " " + quote_tails[int(rnd() * len(quote_tails))]
            variations["address_quote"] += 1
        elif v < RATE_ADDR_COMMA + RATE_ADDR_QUOTE + RATE_ADDR_NEWLINE:
            address += "\n" + second_lines[int(rnd() * len(second_lines))]
            variations["address_newline"] += 1
            extra = 1
        if v < RATE_ADDR_COMMA + RATE_ADDR_QUOTE + RATE_ADDR_NEWLINE:
            address = _quote(address, specials)

        cl = cities[cc]
        city, pcs = cl[int(rnd() * len(cl))]
        postcode = pcs[int(rnd() * POSTCODES_PER_CITY)]
        if rnd() < RATE_COUNTRY_EMPTY:
            country = ""
            variations["country_empty"] += 1
        else:
            country = cc
        if bic == "":
            variations["bic_empty"] += 1

        fields = (ext, first, last, email, iban_out, bic, amount, currency, mandate, mdate,
                  address, city, postcode, country)
        text = delim.join(fields)
        buf.append(text)

        if code is None:
            n_clean += 1
            entry = (text, rec, line, fields, cents, extra)
            if len(reservoir) < RES_SIZE:
                reservoir.append(entry)
            else:
                j = int(rnd() * n_clean)
                if j < RES_SIZE:
                    reservoir[j] = entry
        else:
            counts[code] += 1
            if want_defects:
                defects.append((rec, line, code, field, value, None, None))
        line += 1 + extra
        if len(buf) >= CHUNK:
            flush()

    flush()

    manifest = {
        "generator": "scripts/generate_debtors.py",
        "generator_version": GENERATOR_VERSION,
        "seed": cfg.seed,
        "rows": rows,
        "delimiter": delim,
        "encoding": cfg.encoding,
        "crlf": cfg.crlf,
        "bom": cfg.bom,
        "header": HEADER,
        "physical_lines": line - 1,
        "defect_rows": sum(counts.values()),
        "clean_rows": rows - sum(counts.values()),
        "counts": counts,
        "variations": variations,
    }
    if want_defects:
        out = []
        for rec_, line_, code_, field_, value_, frec, fline in defects:
            d = {"record": rec_, "line": line_, "code": code_, "field": field_}
            if value_ is not None:
                d["value"] = value_
            if fline is not None:
                d["first_record"] = frec
                d["first_line"] = fline
            out.append(d)
        manifest["defects"] = out
    return manifest


def manifest_json(manifest: dict) -> str:
    """Pretty JSON with one defect object per line (grep- and diff-friendly)."""
    head = {k: v for k, v in manifest.items() if k != "defects"}
    text = json.dumps(head, ensure_ascii=False, indent=2)
    if "defects" not in manifest:
        return text + "\n"
    items = ",\n".join("    " + json.dumps(d, ensure_ascii=False) for d in manifest["defects"])
    body = '  "defects": [\n' + items + "\n  ]" if items else '  "defects": []'
    return text[:-2] + ",\n" + body + "\n}\n"


def parse_delimiter(s: str) -> str:
    table = {",": ",", ";": ";", "|": "|", "\t": "\t", "\\t": "\t", "tab": "\t", "TAB": "\t"}
    if s not in table:
        raise argparse.ArgumentTypeError("delimiter must be one of ',', ';', '\\t' (or 'tab'), '|'")
    return table[s]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, required=True, help="data rows (excluding the header)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--delimiter", type=parse_delimiter, default=",",
                    help="',' (default), ';', '\\t' / 'tab', or '|'")
    ap.add_argument("--output", default="-", help="output path, or - for stdout (default)")
    ap.add_argument("--manifest", help="write a JSON manifest of injected defects to this path")
    ap.add_argument("--full-manifest", action="store_true",
                    help=f"list every defect even above {FULL_MANIFEST_LIMIT} rows")
    ap.add_argument("--encoding", choices=["utf-8", "windows-1252"], default="utf-8")
    ap.add_argument("--crlf", action="store_true", help="CRLF record terminators")
    ap.add_argument("--bom", action="store_true", help="start with a UTF-8 byte order mark")
    ap.add_argument("--quiet", action="store_true", help="no summary line on stderr")
    args = ap.parse_args(argv)
    if args.rows < 0:
        ap.error("--rows must be >= 0")
    if args.bom and args.encoding != "utf-8":
        ap.error("--bom is only meaningful with --encoding utf-8")

    cfg = Config(args.rows, args.seed, args.delimiter, args.encoding, args.crlf, args.bom,
                 args.full_manifest)
    want_defects = args.manifest is not None and (args.rows <= FULL_MANIFEST_LIMIT or args.full_manifest)
    started = time.perf_counter()   # timing for the summary only; never feeds the output
    if args.output == "-":
        out = sys.stdout.buffer
        manifest = generate(cfg, out.write, want_defects)
        out.flush()
    else:
        with open(args.output, "wb", buffering=8 * 1024 * 1024) as out:
            manifest = generate(cfg, out.write, want_defects)
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8", newline="\n") as mf:
            mf.write(manifest_json(manifest))
    if not args.quiet and args.output != "-":
        elapsed = time.perf_counter() - started
        print(f"generate_debtors: {args.rows} rows, {manifest['defect_rows']} with defects, "
              f"{manifest['physical_lines']} lines -> {args.output} in {elapsed:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
