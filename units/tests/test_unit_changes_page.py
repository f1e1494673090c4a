"""The unit page lists the unit's recent changes, old → new, to its reviewers and administrators."""

import pytest
from django.urls import reverse

from units import selectors, services
from units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def _rename_and_move(tree, staff):
    commune = AdministrativeUnit.objects.get(pk=tree["commune_a2"].pk)
    commune.name, commune.parent = "Xã Long Định Mới", tree["district_b"]
    services.unit_save(user=staff, unit=commune, reason="Nghị quyết 01/NQ")
    return commune


def test_a_reviewer_sees_who_renamed_and_moved_the_unit(client, tree, staff, reviewer):
    staff.first_name = "Quản trị viên"
    staff.save()
    commune = _rename_and_move(tree, staff)
    client.force_login(reviewer)
    html = client.get(reverse("units:detail", args=[commune.pk])).content.decode()
    assert "Quản trị viên" in html and "(Nghị quyết 01/NQ)" in html
    assert "<del>Xã Long Định</del> → <ins>Xã Long Định Mới</ins>" in html
    assert "<del>Huyện Châu Thành</del> → <ins>Huyện Tân Phước</ins>" in html


def test_an_editor_does_not_see_the_changes(client, tree, staff, outsider):
    commune = _rename_and_move(tree, staff)
    client.force_login(outsider)
    html = client.get(reverse("units:detail", args=[commune.pk])).content.decode()
    assert "Xã Long Định Mới" in html and "<del>" not in html


def test_the_changes_cost_two_queries_whatever_their_number(tree, staff, django_assert_num_queries):
    commune = _rename_and_move(tree, staff)
    for name in ("Xã A", "Xã B", "Xã C"):
        commune.name = name
        services.unit_save(user=staff, unit=commune)
    with django_assert_num_queries(2):  # the history rows with their users; the parents they name
        changes = selectors.unit_changes(unit=commune, limit=3)
    assert [c.fields[0][1:] for c in changes] == [("Xã B", "Xã C"), ("Xã A", "Xã B"), ("Xã Long Định Mới", "Xã A")]
