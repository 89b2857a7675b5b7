"""Printable forms: templates rendered to PDF by WeasyPrint, in Chinese, with CJK fonts."""

import datetime as dt
import io
from http.server import BaseHTTPRequestHandler, HTTPServer
from threading import Thread

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from vcdesk.core.pdf import StaticFilesOnly, pdf_response, render_pdf

FORM = """{% extends "core/pdf_base.html" %}{% load i18n %}
{% block heading %}{{ heading }}{% endblock %}
{% block content %}{% get_current_language as lang %}<p>language={{ lang }}</p>
{% if image %}<img src="{{ image }}">{% endif %}{% endblock %}"""


@pytest.fixture
def form_template(tmp_path, settings):
    """A one-off form extending the base template, found under the name `form.html`."""
    (tmp_path / "form.html").write_text(FORM)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    return "form.html"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def fonts_of(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_a_form_renders_to_pdf_with_the_noto_cjk_fonts(form_template):
    pdf = render_pdf(form_template, {"heading": "售后服务记录", "image": ""})
    assert pdf.startswith(b"%PDF")
    assert "售后服务记录" in text_of(pdf)
    assert {"Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC"} <= fonts_of(pdf)


def test_forms_are_printed_in_chinese_whatever_language_the_user_reads(form_template):
    with translation.override("en"):
        pdf = render_pdf(form_template, {"heading": "x", "image": ""})
    assert "language=zh-hans" in text_of(pdf)


def test_the_footer_carries_the_company_and_the_printing_time_in_beijing(form_template, settings):
    settings.VCDESK_COMPANY_NAME = "华信视讯售后服务中心"
    with time_machine.travel(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC), tick=False):
        text = text_of(render_pdf(form_template, {"heading": "x", "image": ""}))
    assert "华信视讯售后服务中心" in text
    assert "2026-03-0201:30" in text


def test_printing_contacts_no_address_a_record_might_name(form_template):
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    server.timeout = 0.2
    waiter = Thread(target=server.handle_request)  # one request, or none within 0.2 s
    waiter.start()
    image = f"http://127.0.0.1:{server.server_port}/secret.png"
    try:
        assert render_pdf(form_template, {"heading": "x", "image": image}).startswith(b"%PDF")
    finally:
        waiter.join()
        server.server_close()
    assert requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/secret.png",
        "file:///etc/passwd",
        "http://vcdesk.invalid/static/../../settings.py",
        "http://vcdesk.invalid/media/upload.png",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ValueError):
        StaticFilesOnly().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls():
    css = StaticFilesOnly().fetch("http://vcdesk.invalid/static/vcdesk/app.css")
    assert css.read()
    assert StaticFilesOnly().fetch("data:text/plain,ok").read() == b"ok"


def test_a_pdf_response_is_shown_inline_with_its_filename():
    response = pdf_response(b"%PDF-1.7", filename="SR-20260310-0001.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="SR-20260310-0001.pdf"'
    attachment = pdf_response(b"%PDF-1.7", filename="报告.pdf", as_attachment=True)
    assert attachment["Content-Disposition"].startswith("attachment; filename*=utf-8''")
