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


def _upload_form(**kwargs):
    from django import forms

    from parc.lib.forms import StyledFormMixin

    class UploadForm(StyledFormMixin, forms.Form):
        file = forms.FileField(label="Tệp")
        document = forms.FileField(label="Văn bản", required=False, widget=forms.ClearableFileInput)

    return UploadForm(**kwargs)


def test_a_file_input_says_choose_a_file_in_vietnamese_not_in_the_browsers_language():
    from django.utils import translation

    with translation.override("vi"):
        html = str(_upload_form()["file"])
    # The input stays (focusable, hidden by CSS), labelled by a button and the chosen name in words.
    assert 'class="file-picker-input"' in html and 'type="file"' in html and "required" in html
    assert '<label class="file-picker-label" for="id_file">' in html
    assert ">Chọn tệp</span>" in html and 'data-none="Chưa chọn tệp">Chưa chọn tệp</span>' in html
    assert "form-control" not in html  # Bootstrap's styled input shows the browser's "Choose File"


def test_a_file_input_speaks_english_to_an_english_user():
    from django.utils import translation

    with translation.override("en"):
        html = str(_upload_form()["file"])
    assert ">Choose a file</span>" in html and ">No file chosen</span>" in html


def test_a_clearable_file_input_with_a_file_offers_to_clear_it_and_a_picker():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models.fields.files import FieldFile
    from django.utils import translation

    class Stored(FieldFile):
        url = "/ke-hoach/1/van-ban/"

        def __init__(self):
            self.name = "kh.pdf"

        def __str__(self):
            return self.name

    with translation.override("vi"):
        form = _upload_form(initial={"document": Stored()})
        html = str(form["document"])
    assert 'href="/ke-hoach/1/van-ban/">kh.pdf</a>' in html
    assert 'class="form-check-input" type="checkbox" name="document-clear"' in html
    assert ">Chọn tệp</span>" in html and 'for="id_document"' in html
    # A refused upload marks the picker's input, whose style then marks the button.
    with translation.override("vi"):
        refused = _upload_form(data={}, files={"file": SimpleUploadedFile("a.xlsx", b"")})
        assert not refused.is_valid()
        assert 'class="file-picker-input is-invalid"' in str(refused["file"])


def test_every_page_carries_the_browsers_validation_messages_in_the_pages_language(client, alice):
    client.force_login(alice)
    vietnamese = client.get("/").content.decode()
    assert 'src="/static/js/forms.js"' in vietnamese
    assert 'data-required="Vui lòng điền vào ô này."' in vietnamese
    assert 'data-number="Vui lòng nhập một số."' in vietnamese
    assert 'data-min="Giá trị phải từ {min} trở lên."' in vietnamese
    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert 'data-required="Please fill in this field."' in english


def test_axe_is_vendored_for_the_tests_and_loaded_by_no_page(client, alice):
    from pathlib import Path

    from django.conf import settings

    assert (Path(settings.BASE_DIR) / "static/vendor/axe-core-4.14.1.min.js").exists()
    client.force_login(alice)
    assert "axe-core" not in client.get("/").content.decode()
