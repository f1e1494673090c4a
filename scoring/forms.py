from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parc.lib.forms import StyledFormMixin, VNDecimalField
from plans.forms import ServiceValidatedForm
from scoring import services
from scoring.models import CriteriaSet


class CriteriaSetForm(ServiceValidatedForm):
    total_maximum = VNDecimalField(
        label=_("Total maximum"), help_text=_("The total the fields must add up to, e.g. 100.")
    )
    bands = forms.CharField(
        label=_("Classification bands"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One band per line, “label: from %”, e.g. “Tốt: 80”, “Khá: 65”, or “A: 90”."),
    )

    class Meta:
        model = CriteriaSet
        fields = ["issuer", "year", "level", "title", "decision", "total_maximum", "survey", "self_assessment_due"]
        widgets = {"self_assessment_due": forms.DateInput(attrs={"placeholder": "15/11/2026"})}

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        if self.instance.pk:
            self.fields["bands"].initial = services.bands_text(self.instance)
            if self.instance.status != CriteriaSet.Status.DRAFT:
                for name in ("issuer", "year", "level", "total_maximum", "survey"):
                    self.fields[name].disabled = True

    def clean_bands(self):
        return services.parse_bands(self.cleaned_data["bands"])


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ScoresForm(StyledFormMixin, forms.Form):
    """One score and one text per scorable leaf: the unit's own (`kind="self"`) or the appraisal.

    `locked`: why the scorecard cannot take this kind of score now (deadline passed, submitted,
    published …); a posted form is still shown with what was typed, read-only, so nothing typed
    is lost from the screen."""

    def __init__(self, data=None, *args, rows, kind, locked=None, accept=None, **kwargs):
        self.leaves = [r for r in rows if r.scorable]
        if data is not None and accept:
            data = self._accepted(data, accept)
        super().__init__(data, *args, **kwargs)
        self.kind, self.locked, self.conflict = kind, locked, False
        prefix = "own" if kind == "self" else "appraisal"
        for row in self.leaves:
            c, score = row.criterion, row.score
            if kind == "self":
                value, text = (score.self_score, score.explanation) if score else (None, "")
                text_label = _("Explanation")
            else:
                # Empty until the reviewer scores it or accepts the unit's score, explicitly: a
                # criterion nobody looked at must not pass as appraised.
                value = score.appraised_score if score else None
                text = score.appraisal_reason if score else ""
                text_label = _("Reason (needed when it differs)")
            self.fields[f"score_{c.pk}"] = VNDecimalField(
                label=f"{c.code}", required=False, initial=value, max_digits=7, decimal_places=2
            )
            self.fields[f"text_{c.pk}"] = forms.CharField(
                label=text_label,
                required=False,
                initial=text,
                widget=forms.Textarea(attrs={"rows": 1}),
                max_length=2000,
            )
            # The page shows both kinds side by side: each form hangs its fields on the row.
            setattr(row, f"{prefix}_input", self[f"score_{c.pk}"])
            setattr(row, f"{prefix}_text", self[f"text_{c.pk}"])

    def _accepted(self, data, accept):
        """The posted scores with the unit's own score taken where the reviewer pressed "accept":
        `accept` is ("criterion", pk) — that criterion, whatever was typed — or ("field", pk) —
        every criterion of that field still left empty."""
        how, pk = accept
        data = data.copy()
        for row in self.leaves:
            name = f"score_{row.criterion.pk}"
            own = row.score.self_score if row.score else None
            if own is None:
                continue
            if (how == "criterion" and row.criterion.pk == pk) or (
                how == "field" and row.field_id == pk and not (data.get(name) or "").strip()
            ):
                data[name] = format(own.normalize(), "f").replace(".", ",")
        return data

    def entries(self):
        return {
            r.criterion.pk: (
                self.cleaned_data[f"score_{r.criterion.pk}"],
                self.cleaned_data[f"text_{r.criterion.pk}"].strip(),
            )
            for r in self.leaves
        }

    def apply(self, service, **kwargs):
        """Run the service; its per-criterion errors land beside their fields."""
        try:
            return service(entries=self.entries(), **kwargs)
        except ValidationError as exc:
            self.conflict = isinstance(exc, services.ScorecardConflict)  # the page shows the saved scores
            if hasattr(exc, "error_dict"):
                for cid, messages in exc.error_dict.items():
                    self.add_error(f"score_{cid}", messages)
            else:
                self.add_error(None, exc.error_list)
            return None


class EvidenceForm(StyledFormMixin, forms.Form):
    criterion = forms.TypedChoiceField(label=_("Criterion"), coerce=int)
    file = forms.FileField(label=_("File"), required=False)
    link = forms.ChoiceField(label=_("or a report or plan task in PARC"), required=False)

    def __init__(self, *args, rows, reports, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaves = {r.criterion.pk: r.criterion for r in rows if r.is_leaf}
        self.fields["criterion"].choices = [(pk, f"{c.code}. {c.title[:60]}") for pk, c in self.leaves.items()]
        self.reports = {str(r.pk): r for r in reports}
        self.tasks = {str(t.pk): t for t in tasks}
        self.fields["link"].choices = [
            ("", "—"),
            (_("Reports"), [(f"report-{pk}", str(r)) for pk, r in self.reports.items()]),
            (_("Plan tasks"), [(f"task-{pk}", str(t)) for pk, t in self.tasks.items()]),
        ]

    def clean(self):
        data = super().clean()
        if "criterion" in data:
            data["criterion_object"] = self.leaves[data["criterion"]]
        if bool(data.get("file")) == bool(data.get("link")):
            raise ValidationError(_("Choose a file or a report or plan task (one of them)."))
        kind, _sep, pk = (data.get("link") or "").partition("-")
        data["report"] = self.reports.get(pk) if kind == "report" else None
        data["task"] = self.tasks.get(pk) if kind == "task" else None
        return data
