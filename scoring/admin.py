"""The PAR index in the admin: for looking things up. Every change goes through the portal's
pages, where the rules live (sums of the tree, deadlines, reasons, publish and reopen), so the
admin shows these models without add, change or delete."""

from django.contrib import admin

from parc.lib.history import HistoryAdmin
from scoring.models import Band, CriteriaSet, Criterion, Score, Scorecard, SurveyScore


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BandInline(ReadOnly, admin.TabularInline):
    model = Band


class CriterionInline(ReadOnly, admin.TabularInline):
    model = Criterion
    fields = ["code", "title", "maximum", "survey_maximum"]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnly, HistoryAdmin):
    list_display = ["title", "issuer", "year", "level", "status"]
    list_filter = ["year", "level", "status"]
    search_fields = ["title", "issuer__name", "issuer__code"]
    inlines = [BandInline, CriterionInline]


class ScoreInline(ReadOnly, admin.TabularInline):
    model = Score
    fields = ["criterion", "self_score", "appraised_score", "appraisal_reason"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnly, HistoryAdmin):
    list_display = ["unit", "criteria_set", "status", "submitted_at"]
    list_filter = ["status", "criteria_set__year"]
    search_fields = ["unit__name", "unit__code"]
    inlines = [ScoreInline]


@admin.register(SurveyScore)
class SurveyScoreAdmin(ReadOnly, HistoryAdmin):
    list_display = ["unit", "criterion", "points", "criteria_set"]
    list_filter = ["criteria_set__year"]
