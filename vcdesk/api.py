"""The one HTTP API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from vcdesk.accounts.api import router as accounts_router
from vcdesk.accounts.auth import BearerAuth
from vcdesk.assets.api import router as assets_router
from vcdesk.assets.api_io import router as assets_io_router
from vcdesk.assurance.api import router as assurance_router
from vcdesk.contracts.api import router as contracts_router
from vcdesk.core.api import PermissionDenied, validation_error_items
from vcdesk.customers.api import router as customers_router
from vcdesk.feedback.api import router as feedback_router
from vcdesk.inspections.api import router as inspections_router
from vcdesk.rma.api import router as rma_router
from vcdesk.service.api import router as service_router
from vcdesk.spares.api import router as spares_router
from vcdesk.surveys.api import router as surveys_router

api = NinjaAPI(
    title="vcdesk API",
    version="1",
    description=(
        "After-sales service for video-conferencing systems. Every endpoint except "
        "`POST /auth/token` takes `Authorization: Bearer <token>`. Lists answer "
        '`{"items": [...], "count": N}` and take `limit`/`offset`. A customer contact '
        "sees only their own organisation: another organisation's object answers 404."
    ),
    auth=BearerAuth(),
    urls_namespace="api",
)


@api.exception_handler(DjangoValidationError)
def on_validation_error(request, exc: DjangoValidationError):
    return api.create_response(request, {"detail": validation_error_items(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": "Missing or invalid bearer token."}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    return api.create_response(request, {"detail": "Not found."}, status=404)


api.add_router("", accounts_router)
api.add_router("", customers_router)
api.add_router("", assets_io_router)
api.add_router("", assets_router)
api.add_router("", contracts_router)
api.add_router("", service_router)
api.add_router("", spares_router)
api.add_router("", rma_router)
api.add_router("", surveys_router)
api.add_router("", feedback_router)
api.add_router("", assurance_router)
api.add_router("", inspections_router)
