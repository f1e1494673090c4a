"""Registers PARC can load without a file: the national register shipped inside the PyPI
package `vietnam-provinces` (read from its JSON, no network)."""

import datetime
import json

NATION_CODE = "VN"
NATION_NAME = "Việt Nam"
REFORM_2025 = datetime.date(2025, 7, 1)  # two-tier local government from this day


def vn_2025_records():
    """(row number, record) for the nation, the 34 provinces and the 3,321 communes of 2025."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    records = [{"code": NATION_CODE, "name": NATION_NAME, "level": "nation", "kind": "committee"}]
    for province in provinces:
        code = f"{province['code']:02d}"
        records.append(
            {
                "code": code,
                "name": province["name"],
                "level": "province",
                "kind": "committee",
                "parent_code": NATION_CODE,
                "valid_from": REFORM_2025,
            }
        )
        for ward in province["wards"]:
            records.append(
                {
                    "code": f"{ward['code']:05d}",
                    "name": ward["name"],
                    "level": "commune",
                    "kind": "committee",
                    "parent_code": code,
                    "valid_from": REFORM_2025,
                }
            )
    return list(enumerate(records, start=1))


REGISTERS = {"vn-2025": vn_2025_records}
