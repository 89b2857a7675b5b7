"""Printable forms (R10.2): Django templates rendered to PDF by WeasyPrint.

Every form extends `core/pdf_base.html` (A4, the Noto CJK fonts of Debian's fonts-noto-cjk,
page numbers and the printing time in the footer) and is printed in Chinese, the language
of the service plan's forms, whatever language the user reads the pages in.

WeasyPrint fetches nothing from the network: a form may use static files
(`{% static %}`) and `data:` URLs only, so no text in a record can make the server fetch
an address while printing.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_CONTENT_TYPE = "application/pdf"
# Relative URLs in a form resolve against this address, which is never contacted.
_BASE_URL = "http://vcdesk.invalid/"


class StaticFilesOnly(URLFetcher):
    """Serve the project's static files and `data:` URLs to WeasyPrint; refuse the rest."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        prefix = _BASE_URL + settings.STATIC_URL.lstrip("/")
        name = unquote(url.removeprefix(prefix).split("?")[0]) if url.startswith(prefix) else ""
        try:
            found = finders.find(name) if name else None
        except SuspiciousFileOperation:  # "../" out of the static directories
            found = None
        if not found:
            raise ValueError(f"Forms may use static files only, not {url}")
        with open(found, "rb") as file:
            return URLFetcherResponse(url, file.read())


@dataclass(frozen=True)
class CompanyContact:
    """The integrator as its forms name it (公司内部: 单位, 电话, 传真, E-mail)."""

    name: str
    phone: str
    fax: str
    email: str


def company_contact() -> CompanyContact:
    return CompanyContact(
        name=settings.VCDESK_COMPANY_NAME,
        phone=getattr(settings, "VCDESK_COMPANY_PHONE", ""),
        fax=getattr(settings, "VCDESK_COMPANY_FAX", ""),
        email=getattr(settings, "VCDESK_COMPANY_EMAIL", ""),
    )


def render_pdf(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    language: str | None = None,
) -> bytes:
    """The PDF of `template_name` rendered with `context`, in `language` (default: the
    site's language, Chinese). The context also gets `printed_at` (now) and `company`
    (the integrator's name and contact details, as printed on every form)."""
    context = {"printed_at": timezone.now(), "company": company_contact(), **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=_BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()


def pdf_response(pdf: bytes, *, filename: str, as_attachment: bool = False) -> HttpResponse:
    """An HTTP response with the PDF, shown in the browser unless `as_attachment`."""
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
