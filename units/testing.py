"""Small factories for tests (imported by conftest.py and the apps' tests)."""

import datetime

from units.models import AdministrativeUnit, Kind, Level
from units.services import membership_grant, unit_save


def make_unit(code, name=None, level=Level.COMMUNE, parent=None, kind=Kind.COMMITTEE, valid_from=None, valid_to=None):
    unit = AdministrativeUnit(
        code=code,
        name=name or f"Đơn vị {code}",
        level=level,
        parent=parent,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return unit_save(user=None, unit=unit)


def make_tree():
    """nation → province 99 → districts 991 (communes 99101, 99103) and 992 (commune 99201)."""
    nation = make_unit("VN", "Việt Nam", Level.NATION)
    province = make_unit("99", "Tỉnh Bình Giang", Level.PROVINCE, nation, valid_from=datetime.date(2015, 1, 1))
    district_a = make_unit("991", "Huyện Châu Thành", Level.DISTRICT, province)
    district_b = make_unit("992", "Huyện Tân Phước", Level.DISTRICT, province)
    return {
        "nation": nation,
        "province": province,
        "district_a": district_a,
        "commune_a1": make_unit("99101", "Thị trấn Tân Hiệp", Level.COMMUNE, district_a),
        "commune_a2": make_unit("99103", "Xã Long Định", Level.COMMUNE, district_a),
        "district_b": district_b,
        "commune_b1": make_unit("99201", "Thị trấn Mỹ Phước", Level.COMMUNE, district_b),
    }


def grant(user, unit, role, *, by=None):
    """Give `user` a role through the service (history, data version; `by` the administrator
    who grants it, None for a test's setting up), and return `user`."""
    membership_grant(user=by, member=user, unit=unit, role=role)  # also forgets `user`'s cached scope
    return user
