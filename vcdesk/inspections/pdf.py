"""The inspection report (巡检报告, R5.5 and R10.2): printed from the filled checklist.

When an inspection is completed the report is printed once and archived
(vcdesk.inspections.services.inspection_complete); the page serves that archived file, the
same bytes every time. Before completion staff may print a draft, marked as such; a
customer contact sees only the archived report of their own organisation.
"""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from vcdesk.core.pdf import PDF_CONTENT_TYPE, pdf_response, render_pdf
from vcdesk.inspections import selectors
from vcdesk.inspections.choices import CheckArea, ItemResult
from vcdesk.inspections.models import Inspection

TEMPLATE = "inspections/pdf/inspection_report.html"


def inspection_report_context(inspection: Inspection, *, draft: bool = False) -> dict:
    """What the report shows; `inspection` comes with its answers, findings, trainings
    prefetched (selectors.inspection_detail / inspection_for_report)."""
    answers = list(inspection.answers.all())
    results = Counter(a.result for a in answers)
    areas = Counter(a.area for a in answers)
    return {
        "inspection": inspection,
        "draft": draft,
        "units": selectors.checklist_units(inspection),
        "findings": list(inspection.findings.all()),
        "trainings": list(inspection.trainings.all()),
        "counts": {
            "total": len(answers),
            "ok": results[ItemResult.OK],
            "problem": results[ItemResult.PROBLEM],
            "not_applicable": results[ItemResult.NOT_APPLICABLE],
            "unanswered": results[""],
        },
        "areas": [(area.label, areas[area]) for area in CheckArea if areas[area]],
        "devices": len({a.device_id for a in answers if a.device_id}),
        "sites": len({a.site_id for a in answers}),
    }


def inspection_report_render(inspection: Inspection, *, draft: bool = False) -> bytes:
    """The report as PDF bytes, in Chinese."""
    full = selectors.inspection_for_report(pk=inspection.pk)
    return render_pdf(TEMPLATE, inspection_report_context(full, draft=draft))


@login_required
def inspection_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived report; for staff, before completion, a draft printed now."""
    inspection = selectors.inspection_detail(user=request.user, pk=pk)
    if inspection is None:
        raise Http404
    filename = f"{inspection.number}.pdf"
    report = getattr(inspection, "report", None)
    if report is not None:
        return FileResponse(report.pdf.open("rb"), content_type=PDF_CONTENT_TYPE, filename=filename)
    if request.user.is_customer_contact:
        raise Http404  # the customer sees the report once it is archived
    context = inspection_report_context(inspection, draft=True)
    return pdf_response(render_pdf(TEMPLATE, context, request=request), filename=filename)
