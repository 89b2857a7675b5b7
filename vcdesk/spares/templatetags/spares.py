"""`{% load spares %}{% record_spares record %}`: a service record's spares on its page.

A template tag, so that the service app's record page shows spares without the service
package importing the spares package (packages depend downwards only).
"""

from django import template

from vcdesk.spares.permissions import may_manage_spares
from vcdesk.spares.selectors import spare_request_visible

register = template.Library()


@register.inclusion_tag("spares/_record_spares.html", takes_context=True)
def record_spares(context, record) -> dict:
    request = context["request"]
    return {
        "request": request,
        "record": record,
        "spare_requests": spare_request_visible(user=request.user).filter(service_record=record),
        "may_request_spare": may_manage_spares(request.user),
    }
