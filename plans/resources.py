"""Import/export of plans, tasks and targets, keyed by unit code and year, never by ids."""

from import_export import fields, resources, widgets

from indicators.models import Indicator
from indicators.resources import FigureField
from plans import services
from plans.models import Plan, PlanTask, Target
from units.resources import UnitCodeWidget
from units.selectors import unit_by_code


class PlanResource(resources.ModelResource):
    unit_code = fields.Field(attribute="unit", column_name="unit_code", widget=UnitCodeWidget())

    class Meta:
        model = Plan
        fields = ["unit_code", "year", "title", "decision_number", "decision_date", "status"]
        export_order = fields
        import_id_fields = ["unit_code", "year"]
        skip_unchanged = True
        clean_model_instances = True


class PlanPartResource(resources.ModelResource):
    """A part of a plan (task, target), its plan named by the columns plan_unit_code and
    plan_year: the "plan" column the resource keys on is filled in from them before the rows are
    read (one lookup per plan, not per row), and left out of exports (ids stay inside)."""

    plan_unit_code = fields.Field(attribute="plan__unit__code", column_name="plan_unit_code", readonly=True)
    plan_year = fields.Field(attribute="plan__year", column_name="plan_year", readonly=True)
    plan = fields.Field(attribute="plan", column_name="plan", widget=widgets.ForeignKeyWidget(Plan))

    def get_export_fields(self, selected_fields=None):
        return [f for f in super().get_export_fields(selected_fields) if f.column_name != "plan"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "plan" in (dataset.headers or []) or "plan_unit_code" not in (dataset.headers or []):
            return
        found = {}
        column = []
        for row in dataset.dict:
            key = (str(row.get("plan_unit_code") or "").strip(), str(row.get("plan_year") or "").strip())
            if key not in found:
                unit = unit_by_code(code=key[0]) if key[0] else None
                plan = Plan.objects.filter(unit=unit, year=key[1]).first() if unit and key[1].isdigit() else None
                found[key] = plan.pk if plan else ""
            column.append(found[key])
        dataset.append_col(column, header="plan")


class PlanTaskResource(PlanPartResource):
    lead_unit_code = fields.Field(attribute="lead_unit", column_name="lead_unit_code", widget=UnitCodeWidget())

    class Meta:
        model = PlanTask
        fields = [
            "plan_unit_code",
            "plan_year",
            "plan",
            "title",
            "lead_unit_code",
            "deadline",
            "status",
            "progress_note",
            "result_reference",
        ]
        export_order = [
            "plan_unit_code",
            "plan_year",
            "title",
            "lead_unit_code",
            "deadline",
            "status",
            "progress_note",
            "result_reference",
        ]
        import_id_fields = ["plan", "title"]
        skip_unchanged = True
        clean_model_instances = True


class TargetResource(PlanPartResource):
    indicator_code = fields.Field(
        attribute="indicator", column_name="indicator_code", widget=widgets.ForeignKeyWidget(Indicator, "code")
    )
    unit_code = fields.Field(attribute="unit", column_name="unit_code", widget=UnitCodeWidget())
    value = FigureField(attribute="value", column_name="value")

    class Meta:
        model = Target
        fields = [
            "plan_unit_code",
            "plan_year",
            "plan",
            "indicator_code",
            "comparator",
            "value",
            "unit_code",
            "level",
            "note",
        ]
        import_id_fields = ["plan", "indicator_code", "unit_code", "level"]
        skip_unchanged = True
        clean_model_instances = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        services.target_validate(target=instance)  # the portal's rules: scope of the plan, 0–100 %, …
