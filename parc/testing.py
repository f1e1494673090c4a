"""Test helpers shared by the apps."""

from django import forms
from django.urls import reverse


def admin_export(client, model, kind="xlsx") -> bytes:
    """The admin's export of `model` as `kind` ("xlsx" or "csv"), every field, as an
    administrator asks for it on the export page."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
    form = client.get(url).context["form"]
    choices = {label: value for value, label in form.fields["format"].choices if value != ""}
    data = {"format": choices[kind], "resource": form.fields["resource"].initial or 0}
    data.update({name: "on" for name, field in form.fields.items() if isinstance(field, forms.BooleanField)})
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content
