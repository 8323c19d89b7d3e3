#!/usr/bin/env python3
"""Writes given-names.txt: US given names that are not place names, for the person scan.

Usage: make-given-names.py NAMES_DIR GEONAMES_DIR > given-names.txt

NAMES_DIR holds the 1990 US Census first-name lists dist.male.first and dist.female.first
(public domain; shipped in the `names` package on PyPI, MIT). GEONAMES_DIR is the GeoNames
extract the gazetteer is built from: names of places of 20,000 people or more, of first- and
second-level divisions (also without "County", "Parish"...), of countries and nationalities are
left out, so that "Austin", "Georgia", "Jordan" or "Chelsea" stay places. Names of fewer than
three letters are left out too. The hand-made list in enrich/src/geo/words.rs (GIVEN_NAMES) and
its common-word list apply on top of this one.
"""
import gzip
import os
import re
import sys
import unicodedata

GENERICS = re.compile(r" (county|parish|city|district|borough|census area|municipality)$")


def fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower().strip()


def lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                yield line.rstrip("\n")


def main(names_dir, geonames_dir):
    places = set()
    for line in lines(os.path.join(geonames_dir, "cities500.txt.gz")):
        cols = line.split("\t")
        if int(cols[14] or 0) >= 20000:
            places.update((fold(cols[1]), fold(cols[2])))
    for name in ("admin1CodesASCII.txt", "admin2Codes.txt.gz"):
        for line in lines(os.path.join(geonames_dir, name)):
            for n in line.split("\t")[1:3]:
                n = fold(n)
                places.update((n, GENERICS.sub("", n)))
    for line in lines(os.path.join(geonames_dir, "countryInfo.txt")):
        places.add(fold(line.split("\t")[4]))
    for line in lines(os.path.join(geonames_dir, "nationalities.txt")):
        if ":" in line:
            places.add(fold(line.rsplit(":", 1)[0]))
    names = set()
    for sex in ("male", "female"):
        for line in lines(os.path.join(names_dir, f"dist.{sex}.first")):
            n = fold(line.split()[0])
            if len(n) >= 3 and n not in places:
                names.add(n)
    print("# US given names (1990 Census, public domain) that are no place name; see README.md.")
    for n in sorted(names):
        print(n)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
