"""The project's URLs plus the printable service record, until vcdesk/service/urls.py has it."""

from django.urls import path

from vcdesk.service import pdf
from vcdesk.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("service/records/<int:pk>/form.pdf", pdf.service_record_pdf, name="service_record_pdf"),
    *project_urlpatterns,
]
