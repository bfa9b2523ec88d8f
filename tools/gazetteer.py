"""Write extract/lexicon/gazetteer.json from the vietnamadminunits gazetteer.

    .venv/bin/python -m tools.gazetteer

The extractor must import fast and do no I/O beyond its data files: reading the
package's SQLite tables takes seconds, so the names, codes and coordinates it needs
are written once here, as plain data, and regenerated when the package is upgraded.
LEGACY is the 63-province division (with districts and wards) in force until the
2025 merger; FROM_2025 the 34 provinces and their wards; the converter's province
table maps every old province to the new one that absorbed it.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import vietnamadminunits
from vietnamadminunits.database import query

OUT = Path(__file__).resolve().parent.parent / "extract" / "lexicon" / "gazetteer.json"


def _short(name: str, kind: str | None) -> str:
    """`Quận 1` is stored with its type word, `Tân Thành (Phường)` with a note: keep the name."""
    name = re.sub(r"\s*\([^)]*\)$", "", name)
    if kind and name.lower().startswith(kind.lower() + " "):
        return name[len(kind) + 1 :]
    return name


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def build() -> dict[str, object]:
    legacy = query(
        "SELECT province, provinceShort, provinceCode, provinceKey, provinceLat, provinceLon,"
        " districtShort, districtType, districtLat, districtLon,"
        " wardShort, wardType, wardLat, wardLon FROM admin_units_legacy"
    )
    new = query(
        "SELECT provinceShort, provinceCode, provinceKey, provinceLat, provinceLon,"
        " wardShort, wardType, wardLat, wardLon FROM admin_units"
    )
    convert_path = Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"
    merged_into = json.loads(convert_path.read_text(encoding="utf-8"))["DICT_PROVINCE"]
    new_by_key = {r["provinceKey"]: r["provinceShort"] for r in new}
    old_to_new = {old: new_by_key[key] for key, olds in merged_into.items() for old in olds}

    legacy_provinces: dict[str, dict[str, object]] = {}
    districts: set[tuple[object, ...]] = set()
    wards: set[tuple[object, ...]] = set()
    for r in legacy:
        code = r["provinceCode"]
        legacy_provinces.setdefault(
            code,
            {
                "name": r["provinceShort"],
                "code": code,
                "city": r["province"].startswith("Thành phố"),
                "lat": _round(r["provinceLat"]),
                "lon": _round(r["provinceLon"]),
                "current": old_to_new[r["provinceKey"]],
            },
        )
        kind = (r["districtType"] or "").lower()
        districts.add(
            (kind, _short(r["districtShort"], kind), code, _round(r["districtLat"]), _round(r["districtLon"]))
        )
        if r["wardShort"]:
            kind = (r["wardType"] or "").lower()
            wards.add((kind, _short(r["wardShort"], kind), code, _round(r["wardLat"]), _round(r["wardLon"])))
    provinces_2025: dict[str, dict[str, object]] = {}
    wards_2025: set[tuple[object, ...]] = set()
    for r in new:
        code = r["provinceCode"]
        provinces_2025.setdefault(
            code,
            {
                "name": r["provinceShort"],
                "code": code,
                "lat": _round(r["provinceLat"]),
                "lon": _round(r["provinceLon"]),
            },
        )
        kind = (r["wardType"] or "").lower()
        wards_2025.add((kind, _short(r["wardShort"], kind), code, _round(r["wardLat"]), _round(r["wardLon"])))

    def rows(items: set[tuple[object, ...]]) -> list[list[object]]:
        return [list(item) for item in sorted(items, key=str)]

    return {
        "source": f"vietnamadminunits {metadata.version('vietnamadminunits')}",
        "columns": ["type", "name", "province_code", "lat", "lon"],
        "legacy_provinces": sorted(legacy_provinces.values(), key=lambda p: str(p["code"])),
        "legacy_districts": rows(districts),
        "legacy_wards": rows(wards),
        "provinces_2025": sorted(provinces_2025.values(), key=lambda p: str(p["code"])),
        "wards_2025": rows(wards_2025),
    }


def main() -> None:
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(data['legacy_provinces'])} + {len(data['provinces_2025'])} provinces")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
