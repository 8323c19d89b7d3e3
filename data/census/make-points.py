#!/usr/bin/env python3
"""Writes admin2-points.txt: the centre of each US county, from the Census Bureau's boundaries.

Usage: make-points.py US_ATLAS_DIR ADMIN1_CODES ADMIN2_CODES > admin2-points.txt

US_ATLAS_DIR is the unpacked `us-atlas` package (npm, ISC; the Census Bureau's 2017 cartographic
boundary files as TopoJSON, public domain); ADMIN1_CODES and ADMIN2_CODES are GeoNames'
admin1CodesASCII.txt and admin2Codes.txt(.gz). GeoNames' admin2 codes of US counties are their
FIPS codes, so county "31131" of state "31" (Nebraska, GeoNames' US.NE) is US.NE.131. Only
counties that GeoNames lists are written, under GeoNames' name.
"""
import gzip
import json
import os
import sys


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                yield line.rstrip("\n").split("\t")


def decode_arcs(topo):
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    points = []
    for i in indices:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(a if not points else a[1:])
    return points


def centre(arcs, geometry):
    """Area-weighted centroid of the geometry's rings (holes count negatively), on the plane of
    longitude and latitude; longitudes east of 0 are taken as west of -180 so that counties
    across the antimeridian (the Aleutians) stay whole."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    area = cx = cy = 0.0
    for polygon in polygons:
        for indices in polygon:
            pts = [(x - 360 if x > 0 else x, y) for x, y in ring(arcs, indices)]
            for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
    if area == 0:
        return None
    lon, lat = cx / (3 * area), cy / (3 * area)
    return lat, lon + 360 if lon < -180 else lon


def main(atlas_dir, admin1_codes, admin2_codes):
    with open(os.path.join(atlas_dir, "counties-10m.json"), encoding="utf-8") as f:
        topo = json.load(f)
    arcs = decode_arcs(topo)
    state_code = {}
    by_name = {cols[1]: cols[0].split(".")[1] for cols in read_lines(admin1_codes)
               if cols[0].startswith("US.")}
    for g in topo["objects"]["states"]["geometries"]:
        name = g["properties"]["name"]
        if name in by_name:
            state_code[g["id"]] = by_name[name]
    names = {cols[0]: cols[1] for cols in read_lines(admin2_codes) if cols[0].startswith("US.")}
    rows = []
    for g in topo["objects"]["counties"]["geometries"]:
        fips = g["id"]
        st = state_code.get(fips[:2])
        code = f"US.{st}.{fips[2:]}"
        if st is None or code not in names or not g.get("arcs"):
            continue
        point = centre(arcs, g)
        if point:
            rows.append((code, point, names[code]))
    print("# The centre of each US county (GeoNames admin2 code, latitude, longitude, name), from")
    print("# the Census Bureau's 2017 cartographic boundary files; see README.md.")
    for code, (lat, lon), name in sorted(rows):
        print(f"{code}\t{lat:.4f}\t{lon:.4f}\t{name}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
