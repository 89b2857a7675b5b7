from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from vcdesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page says (a PDF, a JSON answer).
    path("favicon.ico", RedirectView.as_view(url=static("vcdesk/favicon.svg"), permanent=True)),
    path("", include("vcdesk.core.urls")),
    path("", include("vcdesk.dashboard.urls")),
    path("", include("vcdesk.customers.urls")),
    path("", include("vcdesk.assets.urls")),
    path("", include("vcdesk.contracts.urls")),
    path("", include("vcdesk.service.urls")),
    path("", include("vcdesk.spares.urls")),
    path("", include("vcdesk.rma.urls")),
    path("", include("vcdesk.assurance.urls")),
    path("", include("vcdesk.surveys.urls")),
    path("", include("vcdesk.feedback.urls")),
    path("", include("vcdesk.portal.urls")),
    path("", include("vcdesk.inspections.urls")),
]
