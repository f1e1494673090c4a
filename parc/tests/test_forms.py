"""Shared form helpers (parc/lib/forms.py)."""


def test_the_quick_select_writes_what_djangos_select_writes():
    from django import forms

    from parc.lib.forms import QuickSelect

    choices = [("", "Tất cả"), ("a&b", "<Cải cách>"), ("Nhóm", [(2026, "2026"), (2025, "2025")])]
    attrs = {"class": "form-select", "id": "id_x", "required": True}
    quick = QuickSelect(attrs=attrs, choices=choices).render("x", 2025)
    django = forms.Select(attrs=attrs, choices=choices).render("x", 2025)

    def normal(html):
        return "".join(html.split())  # Django's templates add line breaks and indentation

    assert normal(quick) == normal(django)
    assert '<option value="2025" selected>2025</option>' in quick and "&lt;Cải cách&gt;" in quick
