"""`{% load inspections %}{% record_inspection record %}`: on a service record's page, the
inspection whose finding opened it (R5.3, the link back).

A template tag, so that the service app's record page shows it without the service package
importing the inspections package (packages depend downwards only).
"""

from django import template

from vcdesk.inspections.selectors import finding_of_record

register = template.Library()


@register.inclusion_tag("inspections/_record_inspection.html", takes_context=True)
def record_inspection(context, record) -> dict:
    return {"finding": finding_of_record(user=context["request"].user, record=record)}
