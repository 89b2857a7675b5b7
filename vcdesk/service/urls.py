from django.urls import path

from vcdesk.service import pdf, views

urlpatterns = [
    path("service/", views.service_queue, name="service_queue"),
    path("service/new/", views.service_intake, name="service_intake"),
    path("service/new/devices/", views.service_intake_devices, name="service_intake_devices"),
    path("service/<int:pk>/", views.service_record_detail, name="service_record_detail"),
    path("service/<int:pk>/events/", views.service_record_event, name="service_record_event"),
    path(
        "service/<int:pk>/history/",
        views.service_record_history_add,
        name="service_record_history_add",
    ),
    path(
        "service/<int:pk>/dispatch/", views.service_record_dispatch, name="service_record_dispatch"
    ),
    path("service/<int:pk>/form.pdf", pdf.service_record_pdf, name="service_record_pdf"),
    path("service/my-jobs/", views.my_jobs, name="my_jobs"),
    path("service/dispatches/<int:pk>/<slug:step>/", views.dispatch_step, name="dispatch_step"),
]
