from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from vcdesk.dashboard.selectors import installed_base_summary
from vcdesk.portal.views import portal


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_customer_contact:
        return portal(request)  # a customer's home is their organisation's portal
    summary = installed_base_summary(user=request.user, today=timezone.localdate())
    return render(request, "dashboard/home.html", summary)
