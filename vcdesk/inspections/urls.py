from django.urls import path

from vcdesk.inspections import pdf, views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path(
        "inspections/<int:pk>/checklist/", views.inspection_checklist, name="inspection_checklist"
    ),
    path("inspections/<int:pk>/findings/new/", views.finding_new, name="inspection_finding_new"),
    path("inspections/<int:pk>/trainings/new/", views.training_new, name="inspection_training_new"),
    path("inspections/<int:pk>/complete/", views.inspection_complete, name="inspection_complete"),
    path(
        "inspections/<int:pk>/reschedule/",
        views.inspection_reschedule,
        name="inspection_reschedule",
    ),
    path("inspections/<int:pk>/cancel/", views.inspection_cancel, name="inspection_cancel"),
    path(
        "inspections/<int:pk>/report.pdf", pdf.inspection_report_pdf, name="inspection_report_pdf"
    ),
    path(
        "inspections/items/<int:pk>/file", views.inspection_attachment, name="inspection_attachment"
    ),
    path("calendar/", views.inspection_calendar, name="calendar"),
]
