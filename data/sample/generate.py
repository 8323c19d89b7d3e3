#!/usr/bin/env python3
"""Writes feed.ndjson: a fictional news feed for demos and tests of tocsin.

Every report is invented for this project (real place names, fictional events); nothing is copied
from any news source. Deterministic: the same script always writes the same file.
Run from this folder: python3 generate.py > feed.ndjson
"""
import json
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20260301)
START = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
OUTLETS = ["Sahel Monitor", "Radio Dawn", "Field Network", "Daily Observer", "Horn Wire",
           "Community Radio", "Relief Bulletin", "Rights Watchers"]

# (town, admin1 phrase, country) — real places.
PLACES = [
    ("El Geneina", "West Darfur", "Sudan"),
    ("Nyala", "South Darfur", "Sudan"),
    ("Bunia", "Ituri province", "Democratic Republic of the Congo"),
    ("Beni", "North Kivu", "Democratic Republic of the Congo"),
    ("Djibo", "Sahel region", "Burkina Faso"),
    ("Mopti", "Mopti region", "Mali"),
    ("Maiduguri", "Borno State", "Nigeria"),
    ("Bangassou", "Mbomou prefecture", "Central African Republic"),
    ("Kaya", "Centre-Nord region", "Burkina Faso"),
    ("Malakal", "Upper Nile state", "South Sudan"),
]
# Two surges: where killings concentrate over a few days.
SURGES = [("El Geneina", "West Darfur", "Sudan", 9, 4), ("Bunia", "Ituri province", "Democratic Republic of the Congo", 15, 3)]

KILLING = [
    "Gunmen killed {n} villagers in an attack on a market near {town}, {admin1}, residents said.",
    "At least {n} civilians were killed when armed men stormed a village outside {town} in {admin1}, {country}.",
    "Local officials said {n} people, including women and children, were shot dead in {town}, {admin1}.",
    "Militia fighters killed {n} displaced people at a camp on the edge of {town}, {admin1}, aid workers reported.",
    "Survivors said {n} men were executed after attackers separated them from their families in {town}, {admin1}.",
]
OTHER = [
    "Thousands of families fled {town}, {admin1}, after armed groups set fire to homes overnight.",
    "Armed men abducted {n} students from a school in {town}, {admin1}, {country}, a teacher said.",
    "Witnesses said several houses were burned and shops looted in {town}, {admin1}.",
    "Aid agencies said about {n} people had been displaced by fighting around {town} in {admin1}.",
    "A local radio station in {town}, {admin1}, broadcast calls describing a rival community as cockroaches.",
]
NEGATED = [
    "Authorities in {town}, {admin1}, denied reports that civilians were killed during the operation.",
    "No casualties were reported after a brief exchange of fire near {town}, {admin1}.",
    "Officials said residents of {town}, {admin1}, were not harmed when a militia convoy passed through.",
]
NEUTRAL = [
    "The governor of {admin1} opened a new water project in {town} on Monday.",
    "Farmers near {town}, {admin1}, said the rainy season had started early this year.",
    "A football tournament in {town}, {admin1}, drew teams from across {country}.",
    "Traders in {town} said fuel prices in {admin1} fell for the second month.",
]
DATELINED = [
    "NAIROBI (Field Network) - Gunmen killed {n} people in {town}, {admin1}, {country}, on Sunday, a local leader said.",
    "DAKAR - At least {n} villagers were killed in an attack near {town} in {admin1}, {country}, officials said on Monday.",
]


def report(i, t, text, source):
    return {
        "id": f"sample-{i:04d}",
        "published_at": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "title": text.split(",")[0][:80],
        "text": text,
        "lang": "en",
    }


def main():
    items = []
    for day in range(21):
        for _ in range(rng.randint(8, 12)):
            town, admin1, country = rng.choice(PLACES)
            t = START + timedelta(days=day, minutes=rng.randint(0, 16 * 60))
            r = rng.random()
            if r < 0.18:
                tpl, n = rng.choice(KILLING), rng.randint(1, 4)
            elif r < 0.40:
                tpl, n = rng.choice(OTHER), rng.choice([3, 12, 40, 200, 1500])
            elif r < 0.50:
                tpl, n = rng.choice(NEGATED), 0
            elif r < 0.55:
                tpl, n = rng.choice(DATELINED), rng.randint(2, 5)
            else:
                tpl, n = rng.choice(NEUTRAL), 0
            items.append((t, tpl.format(n=n, town=town, admin1=admin1, country=country)))
    for town, admin1, country, day0, days in SURGES:
        for d in range(days):
            for _ in range(rng.randint(3, 5)):
                t = START + timedelta(days=day0 + d, minutes=rng.randint(0, 16 * 60))
                n = rng.randint(5, 30)
                tpl = rng.choice(KILLING + DATELINED)
                items.append((t, tpl.format(n=n, town=town, admin1=admin1, country=country)))
    items.sort(key=lambda x: x[0])
    for i, (t, text) in enumerate(items, 1):
        print(json.dumps(report(i, t, text, rng.choice(OUTLETS)), ensure_ascii=False))


if __name__ == "__main__":
    main()
