"""The weekly report page in the admin, for supervisors: /admin/reports/weekly/<ISO week>/, its downloads and the
explicit recompute. Thin: the figures come from reports.services / reports.metrics, the rows from presentation."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import is_supervisor
from complaints.errors import ServiceError
from reports import charts, exports
from reports import presentation as p
from reports.reading import last_complete_week, report_for
from reports.selectors import weekly_report_weeks
from reports.services import weekly_report_build
from reports.weeks import IsoWeek


def _supervisor_only(view):
    """Anonymous users and non-staff go to the admin login (admin_view); staff who are not supervisors get 403."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return admin.site.admin_view(wrapped)


def _week(text: str) -> IsoWeek:
    try:
        return IsoWeek.parse(text)
    except ServiceError as error:
        raise Http404(error.message) from error


def weekly_index(request: HttpRequest) -> HttpResponse:
    """The week picker's target (?week=2026-W47) and the default: the last complete week."""
    text = request.GET.get("week")
    if text:
        try:
            week = IsoWeek.parse(text)
        except ServiceError as error:
            messages.error(request, error.message)
            week = last_complete_week()
    else:
        week = last_complete_week()
    return HttpResponseRedirect(reverse("reports-weekly-week", args=[str(week)]))


def weekly_page(request: HttpRequest, week: str) -> HttpResponse:
    iso = _week(week)
    data, snapshot, state = report_for(iso)
    now_week = IsoWeek.of(timezone.now())
    context = {
        **admin.site.each_context(request),
        "title": _("Weekly report %(week)s") % {"week": iso},
        "week": iso,
        "state": state,
        "snapshot": snapshot,
        "previous_week": iso.previous(),
        "next_week": iso.next() if iso.next() <= now_week else None,
        "current_week": now_week,
        "last_complete_week": last_complete_week(),
        "stored_weeks": weekly_report_weeks(limit=12),
    }
    if data is not None:
        carriers = p.rows(data, "by_carrier")
        context.update(
            {
                "data": data,
                "span": p.week_span(data),
                "volume": p.figures(data, p.VOLUME_KEYS),
                "haier": p.figures(data, p.HAIER_KEYS),
                "survey": p.figures(data, p.SURVEY_KEYS),
                "regulator": p.figures(data, p.REGULATOR_KEYS),
                "escalation_figures": p.figures(data, p.ESCALATION_KEYS),
                "money": p.figures(data, p.MONEY_KEYS),
                "targets": [(t, p.p90_over_commitment(t)) for t in p.targets(data)],
                "carriers": carriers,
                "scorecard_columns": p.SCORECARD_COLUMNS,
                "tables": [
                    (str(p.TABLES[s][0]), p.TABLES[s][1], p.rows(data, s))
                    for s in (
                        "by_category",
                        "by_channel",
                        "by_agent",
                        "escalations_by_level",
                        "breaches_by_clock",
                        "compensation_by_case",
                        "root_causes",
                        "macros_used",
                    )
                ],
                "charts": charts.page_charts(data),
            }
        )
    return TemplateResponse(request, "admin/reports/weekly_report.html", context)


def weekly_download(request: HttpRequest, week: str, extension: str) -> HttpResponse:
    iso = _week(week)
    data, _snapshot, state = report_for(iso)
    if data is None:
        raise Http404(_("This week has not started yet."))
    if extension == "csv":
        body, content_type = exports.report_csv(data), exports.CSV_TYPE
    else:
        body, content_type = exports.report_xlsx(data), exports.XLSX_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(data, extension)}"'
    return response


@require_POST
def weekly_recompute(request: HttpRequest, week: str) -> HttpResponse:
    """Explicit: replaces the stored figures of a complete week with figures computed now (the service refuses a
    week in progress: the message says so and the page stays as it was)."""
    iso = _week(week)
    target = reverse("reports-weekly-week", args=[str(iso)])
    try:
        weekly_report_build(week=iso, actor=request.user, recompute=True)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(target)
    messages.success(request, _("The figures of %(week)s were computed again.") % {"week": iso})
    return HttpResponseRedirect(target)


WEEK = "<str:week>"
urlpatterns = [
    path("", _supervisor_only(weekly_index), name="reports-weekly"),
    path(f"{WEEK}/", _supervisor_only(weekly_page), name="reports-weekly-week"),
    path(f"{WEEK}/report.csv", _supervisor_only(weekly_download), {"extension": "csv"}, name="reports-weekly-csv"),
    path(f"{WEEK}/report.xlsx", _supervisor_only(weekly_download), {"extension": "xlsx"}, name="reports-weekly-xlsx"),
    path(f"{WEEK}/recompute/", _supervisor_only(weekly_recompute), name="reports-weekly-recompute"),
]
