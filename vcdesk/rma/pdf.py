"""The RMA printed as the plan's form 设备维修申请表 (R10.2), in Chinese."""

from itertools import repeat

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from vcdesk.core.api import get_visible_or_404
from vcdesk.core.pdf import pdf_response, render_pdf
from vcdesk.rma import selectors
from vcdesk.rma.models import Rma

TEMPLATE = "rma/pdf/rma_form.html"
# A paper form has room to write: at least this many product and part lines are printed.
PRODUCT_ROWS, PART_ROWS = 2, 3


def rma_form_context(rma: Rma, *, now) -> dict:
    products = list(rma.products.all())
    parts = list(rma.parts.all())
    return {
        "rma": rma,
        "products": products,
        "blank_products": list(repeat(None, max(PRODUCT_ROWS - len(products), 0))),
        "parts": parts,
        "blank_parts": list(repeat(None, max(PART_ROWS - len(parts), 0))),
        "owed_days": rma.owed_days_at(now),
    }


def rma_pdf_bytes(rma: Rma, *, request: HttpRequest | None = None) -> bytes:
    return render_pdf(TEMPLATE, rma_form_context(rma, now=timezone.now()), request=request)


@login_required
def rma_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    rma = get_visible_or_404(selectors.rma_detail_visible(user=request.user), pk)
    return pdf_response(rma_pdf_bytes(rma, request=request), filename=f"{rma.number}.pdf")
