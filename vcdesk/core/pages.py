"""Helpers shared by the server-rendered pages: pagination and list filters from the URL."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import FilterSchema
from pydantic import ValidationError


def page_of(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    paginator = Paginator(queryset, per_page or settings.VCDESK_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def filters_from_request(
    schema: type[FilterSchema], request: HttpRequest
) -> tuple[FilterSchema, dict[str, str]]:
    """The list's filter definition (the same the API uses) filled from the query string.

    A value that does not parse is dropped and reported, so a hand-edited URL shows the list
    with a note instead of an error page. Returns (filters, {field: reason}).
    """
    raw = {
        key: value
        for key, value in request.GET.items()
        if key in schema.model_fields and value.strip() != ""
    }
    errors: dict[str, str] = {}
    try:
        return schema(**raw), errors
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0])
            errors[field] = error["msg"]
            raw.pop(field, None)
    return schema(**raw), errors
