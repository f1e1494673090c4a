"""The inbox: everything waiting for the user's action at every level below them (reports to
review, scorecards to appraise), and approving several reports at once."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inbox.forms import InboxFilterForm
from indicators import selectors, services
from scoring.selectors import scorecards_waiting

PER_PAGE = 50
CHOSEN = re.compile(r"(\d{1,12}):(\d{1,9})", re.ASCII)  # "report id:version seen"


@require_GET
def inbox(request):
    form = InboxFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    reports = Paginator(selectors.reports_waiting(user=request.user, filters=filters), PER_PAGE)
    page = reports.get_page(request.GET.get("page"))
    cards = []
    if filters.status == "submitted":
        cards = scorecards_waiting(
            user=request.user, year=filters.year, level=filters.level, district=filters.district
        )[:PER_PAGE]
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": "inbox",
        "form": form,
        "filters": filters,
        "reports": page,
        "cards": cards,
        "query": query.urlencode(),
        "approvable": filters.status == "submitted",
    }
    return render(request, "inbox/inbox.html", ctx)


@require_POST
def approve_many(request):
    seen = {}
    for value in request.POST.getlist("bao_cao"):
        match = CHOSEN.fullmatch(value)
        if match:
            seen[int(match.group(1))] = int(match.group(2))
    back = request.POST.get("tiep", "")
    back = back if re.fullmatch(r"\?[\w=&%.+-]*", back, re.ASCII) else ""  # the list's own filters, nothing else
    if not seen:
        messages.warning(request, _("Choose the reports to approve."))
        return redirect(reverse("inbox:home") + back)
    done = services.report_approve_many(user=request.user, seen=seen)
    if done.approved:
        messages.success(request, _("%(count)s report(s) approved.") % {"count": len(done.approved)})
    for report, reason in done.skipped:
        where = f"{report.unit.name}, {report.period}: " if report is not None else ""
        messages.error(request, _("Not approved: %(where)s%(reason)s") % {"where": where, "reason": reason})
    return redirect(reverse("inbox:home") + back)
