"""Demo register: the real 2025 national register, and beside it one province in the
three-tier shape PARC's users report in (province → districts → communes, with agencies).

The demo province "Bình Giang" is fictional. Its codes (province 99, districts 99x, communes
99xxx) are unused by the 2025 register, so nothing clashes on any date.
"""

import datetime

from parc.demo import ensure_user
from units.models import AdministrativeUnit, Membership, Role, SuccessionKind, UnitSuccession
from units.registers import NATION_CODE, vn_2025_records
from units.services import membership_grant, units_import

SINCE = datetime.date(2015, 1, 1)
MERGER_DAY = datetime.date(2024, 1, 1)

PROVINCE = ("99", "Tỉnh Bình Giang")
DISTRICTS = [
    (
        "991",
        "Huyện Châu Thành",
        [
            ("99101", "Thị trấn Tân Hiệp"),
            ("99103", "Xã Long Định"),
            ("99105", "Xã Tam Hiệp"),
            ("99107", "Xã Bình Đức"),
            ("99109", "Xã Thân Cửu Nghĩa"),
            ("99111", "Xã Long An"),
            ("99113", "Xã Dưỡng Điềm"),
            ("99115", "Xã Điềm Hy"),
            ("99117", "Xã Phú Phong"),
            ("99119", "Xã Kim Sơn"),
            ("99121", "Xã Song Thuận"),
            ("99123", "Xã Hữu Đạo"),
        ],
    ),
    (
        "992",
        "Huyện Tân Phước",
        [
            ("99201", "Thị trấn Mỹ Phước"),
            ("99203", "Xã Phước Lập"),
            ("99205", "Xã Thạnh Mỹ"),
            ("99207", "Xã Tân Hòa Đông"),
            ("99209", "Xã Hưng Thạnh"),
        ],
    ),
    (
        "993",
        "Thành phố Mỹ An",
        [
            ("99301", "Phường 1"),
            ("99303", "Phường 2"),
            ("99305", "Phường Tân Long"),
            ("99307", "Xã Mỹ Phong"),
        ],
    ),
]
AGENCIES = [
    ("99.SNV", "Sở Nội vụ", "99"),
    ("99.VP", "Văn phòng UBND tỉnh", "99"),
    ("99.STP", "Sở Tư pháp", "99"),
    ("991.PNV", "Phòng Nội vụ huyện Châu Thành", "991"),
    ("992.PNV", "Phòng Nội vụ huyện Tân Phước", "992"),
]
# Two communes of Châu Thành that were merged into Xã Thân Cửu Nghĩa on 1 January 2024:
# their units end the day before, and the merger is recorded.
MERGED = [("99125", "Xã Tân Lý Đông"), ("99127", "Xã Tân Lý Tây")]
MERGED_INTO = "99109"

LOGINS = [
    ("canbo.chauthanh", "editor: Huyện Châu Thành and its communes (enters quarterly figures)"),
    ("canbo.tanphuoc", "editor: Huyện Tân Phước (another district: sees nothing of Châu Thành)"),
    ("sonoivu", "reviewer: Tỉnh Bình Giang (approves or returns reports, sets targets)"),
    ("lanhdao", "viewer: Tỉnh Bình Giang (a leader reading dashboards)"),
]


def demo_province_records():
    records = [
        {
            "code": PROVINCE[0],
            "name": PROVINCE[1],
            "level": "province",
            "parent_code": NATION_CODE,
            "valid_from": SINCE,
        }
    ]
    for code, name, communes in DISTRICTS:
        records.append({"code": code, "name": name, "level": "district", "parent_code": "99", "valid_from": SINCE})
        for commune_code, commune_name in communes:
            records.append(
                {
                    "code": commune_code,
                    "name": commune_name,
                    "level": "commune",
                    "parent_code": code,
                    "valid_from": SINCE,
                }
            )
    for code, name in MERGED:
        records.append(
            {
                "code": code,
                "name": name,
                "level": "commune",
                "parent_code": "991",
                "valid_from": SINCE,
                "valid_to": MERGER_DAY - datetime.timedelta(days=1),
            }
        )
    for code, name, parent in AGENCIES:
        level = "province" if parent == "99" else "district"
        records.append(
            {"code": code, "name": name, "level": level, "kind": "agency", "parent_code": parent, "valid_from": SINCE}
        )
    return list(enumerate(records, start=1))


def _unit(code):
    return AdministrativeUnit.objects.get(code=code, valid_from__in=[SINCE, None])


def load(stdout=None):
    summary = {}
    for label, records in (("national register", vn_2025_records()), ("demo province", demo_province_records())):
        outcome = units_import(user=None, records=records, reason="demo")
        if not outcome.ok:
            raise RuntimeError("; ".join(str(e) for e in outcome.errors))
        summary[f"{label} created"] = outcome.created

    if not UnitSuccession.objects.filter(date=MERGER_DAY, kind=SuccessionKind.MERGE).exists():
        succession = UnitSuccession.objects.create(
            kind=SuccessionKind.MERGE,
            date=MERGER_DAY,
            legal_basis="Nghị quyết 1013/NQ-UBTVQH15 (dữ liệu mẫu)",
            note="Sáp nhập xã Tân Lý Đông và xã Tân Lý Tây vào xã Thân Cửu Nghĩa.",
        )
        succession.predecessors.set([_unit(code) for code, _ in MERGED])
        succession.successors.set([_unit(MERGED_INTO)])

    people = [
        ("canbo.chauthanh", "Nguyễn Văn", "An", "991", Role.EDITOR),
        ("canbo.tanphuoc", "Trần Thị", "Bình", "992", Role.EDITOR),
        ("sonoivu", "Lê Minh", "Châu", "99", Role.REVIEWER),
        ("lanhdao", "Phạm Quốc", "Dũng", "99", Role.VIEWER),
    ]
    created_users = 0
    for username, last, first, code, role in people:
        # Vietnamese names read family name first: keep the whole name in first_name.
        user, created = ensure_user(username=username, first_name=f"{last} {first}")
        created_users += created
        unit = _unit(code)
        if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
            membership_grant(user=None, member=user, unit=unit, role=role, reason="demo")
    summary["users created"] = created_users
    return summary
