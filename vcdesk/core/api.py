"""Conventions shared by every API router: errors, permissions, list/create/read/update.

Every resource of the installed base answers the same way, so the conventions live here
once: lists are `{"items": [...], "count": N}` with `limit`/`offset` and the resource's
filters (`count` stops at 1,001, meaning "more than 1,000"); an object another
organisation owns answers 404; a write the user may not make answers 403; bad input answers
422 with the field and the reason, and writes nothing.
"""

import inspect
import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Path, Query, Router, Schema, Status
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

# Past this every list is empty; the bound keeps OFFSET inside every database's integer range.
MAX_OFFSET = 2**31 - 1

# Numbers as input (ids above all): beyond a signed 64-bit integer no row can match, and the
# databases cannot even compare such a number (SQLite raises OverflowError, PostgreSQL an
# out-of-range error), so it is bad input (422), never a server error. Every request body
# and every list's filters refuse them (`Input`); a path's id takes `PathId`.
MAX_ID = 2**63 - 1
MIN_INT = -(2**63)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(le=MAX_ID)]


def _beyond_64_bits(value: Any) -> bool:
    if isinstance(value, list | tuple | set | frozenset):
        return any(_beyond_64_bits(item) for item in value)
    return (
        isinstance(value, int) and not isinstance(value, bool) and not (MIN_INT <= value <= MAX_ID)
    )


class PermissionDenied(Exception):
    """The user is known and may see the object, but may not make this change (403)."""


class Input(Schema):
    """Base of every request body. Text with a NUL character is bad input: PostgreSQL can
    neither store nor compare it, so it is refused, naming the field, on every database."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul_character(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(_("Text must not contain the NUL character."))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_numbers_beyond_64_bits(cls, value: Any) -> Any:
        if _beyond_64_bits(value):
            raise ValueError(
                _("The number must lie between %(low)s and %(high)s.")
                % {"low": MIN_INT, "high": MAX_ID}
            )
        return value


class Filters(FilterSchema, Input):
    """Base of every list's filters (one definition for the page, the API and the export)."""


DEEP_OFFSET = 1_000

# Lists count at most this many matches (and one more, to say "more"): a count is otherwise
# a read of every matching row, and the lists whose matches grow with the history (every
# service record, the closed ones, a customer's records) could not answer in constant time.
COUNT_LIMIT = 1_000


class Pagination(LimitOffsetPagination):
    """`limit`/`offset`, each refused with 422 when out of range; `count` capped."""

    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ...,
            ge=0,
            le=COUNT_LIMIT + 1,
            description=(
                f"How many items match, counted up to {COUNT_LIMIT:,}: "
                f"{COUNT_LIMIT + 1:,} means more than {COUNT_LIMIT:,}. "
                "Page on with `offset` until a page comes back short."
            ),
        )

    def _items_count(self, queryset) -> int:
        if not isinstance(queryset, QuerySet):
            return min(len(queryset), COUNT_LIMIT + 1)
        # `values("pk").order_by()`: without them the sliced count keeps the joins and the
        # ORDER BY, and walks the list's sort index instead of the cheapest one.
        return queryset.values("pk").order_by()[: COUNT_LIMIT + 1].count()

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        if pagination.offset >= DEEP_OFFSET and isinstance(queryset, QuerySet):
            # Deep pages: skip rows by primary key alone (an index-only scan), then fetch
            # the page's rows with their joins, instead of joining every skipped row.
            offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
            page_ids = queryset.values("pk")[offset : offset + limit]
            page["items"] = queryset.filter(pk__in=page_ids)
        return page


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: list[ErrorItem] | str


def validation_error_items(exc: DjangoValidationError, *, prefix: str = "body") -> list[dict]:
    """Django's field errors in the same shape as the API's schema errors."""
    items: list[dict] = []
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in errors.items():
        loc = [prefix] if field == NON_FIELD_ERRORS else [prefix, field]
        items.extend({"loc": loc, "msg": str(m), "type": "invalid"} for m in messages)
    return items


def get_visible_or_404(queryset: QuerySet, pk: int):
    """One object out of an already user-scoped queryset; invisible and missing look alike."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(_("Not found."))
    return obj


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not make this change."))


def crud_routes(
    router: Router,
    *,
    path: str,
    name: str,
    out: type[Schema],
    create_in: type[Schema],
    patch_in: type[Schema],
    filters: type[FilterSchema],
    visible: Callable[..., QuerySet],
    may_write: Callable[[Any], bool],
    create: Callable[..., Any],
    update: Callable[..., Any],
) -> None:
    """Add list, create, read and partial-update operations for one resource.

    `visible(user=…)` is the resource's scoped selector; `create(actor=…, **fields)` and
    `update(instance, actor=…, **changed_fields)` are its services.
    """
    errors = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
    filter_schema = filters

    @router.get(path, response=list[out], operation_id=f"{name}_list", summary=f"List {name}")
    @paginate(Pagination)
    def list_objects(request: HttpRequest, filters: Query[filter_schema]):  # type: ignore[valid-type]
        return filters.filter(visible(user=request.auth))

    @router.post(
        path,
        response={201: out, **errors},
        operation_id=f"{name}_create",
        summary=f"Create {name}",
    )
    def create_object(request: HttpRequest, payload: create_in):  # type: ignore[valid-type]
        require(may_write(request.auth))
        return Status(201, create(actor=request.auth, **payload.dict()))

    @router.get(
        f"{path}/{{int:obj_id}}",
        response={200: out, 404: ErrorOut},
        operation_id=f"{name}_read",
        summary=f"Read one of {name}",
    )
    def read_object(request: HttpRequest, obj_id: PathId):
        return get_visible_or_404(visible(user=request.auth), obj_id)

    @router.patch(
        f"{path}/{{int:obj_id}}",
        response={200: out, **errors},
        operation_id=f"{name}_update",
        summary=f"Change one of {name}",
    )
    def update_object(request: HttpRequest, obj_id: PathId, payload: patch_in):  # type: ignore[valid-type]
        instance = get_visible_or_404(visible(user=request.auth), obj_id)
        require(may_write(request.auth))
        changes = payload.dict(exclude_unset=True)
        if not changes:
            return instance  # nothing to change, nothing to record
        return update(instance, actor=request.auth, **changes)


T = TypeVar("T")


def refused_as_409(step: Callable[[], T], *refusals: type[Exception]) -> T | Status:
    """Run one step of a process; when the process refuses it now (one of `refusals`, such
    as a record's EventRefused), answer 409 with the reason. Bad input still raises (422)."""
    try:
        return step()
    except refusals as exc:
        return Status(409, {"detail": str(exc)})


def step_route(
    router: Router,
    path: str,
    *,
    step: Callable[..., Any],
    out: type[Schema],
    payload_in: type[Schema] | None = None,
    status: int = 201,
    **route: Any,
) -> None:
    """Add `POST <path>`: one step of a process on one object, such as
    `/rmas/{int:rma_id}/events`, answering the object afresh with `status`.

    The path's first id names the object: `load(request, id)` reads it as the user may see
    it (else 404); `allowed(user, obj)` or 403; then `step(obj, actor=user, **rest)` makes
    the step, `rest` being the path's further ids (a part of the object, such as
    `{int:item_id}`) and the body's fields (`payload_in`). A step the process refuses now
    (one of `refusals`, the only reason a 409 is declared) answers 409 with the reason; bad
    input raises (422). `id_type` types the path's ids (`PathId`, or `int` where a router
    always had it); `operation_id`, `summary` and `description` document the operation.
    """
    _object_route(
        router.post, path, call=step, out=out, payload_in=payload_in, status=status, **route
    )


def update_route(
    router: Router,
    path: str,
    *,
    update: Callable[..., Any],
    out: type[Schema],
    payload_in: type[Schema],
    **route: Any,
) -> None:
    """Add `PATCH <path>`: change the fields the body gives of one object, answering it
    afresh (200). As `step_route`, with `update(obj, actor=user, **given)`, not called when
    the body gives no field."""
    _object_route(
        router.patch,
        path,
        call=update,
        out=out,
        payload_in=payload_in,
        status=200,
        only_given=True,
        **route,
    )


def _object_route(
    register: Callable[..., Callable],
    path: str,
    *,
    load: Callable[[HttpRequest, int], Any],
    allowed: Callable[[Any, Any], bool],
    call: Callable[..., Any],
    payload_in: type[Schema] | None,
    status: int,
    out: type[Schema],
    only_given: bool = False,
    refusals: tuple[type[Exception], ...] = (),
    id_type: Any = PathId,
    **operation: Any,
) -> None:
    ids = re.findall(r"{(?:\w+:)?(\w+)}", path)
    errors = (403, 404, 409, 422) if refusals else (403, 404, 422)

    def view(request: HttpRequest, **kwargs):
        obj = load(request, kwargs[ids[0]])
        require(allowed(request.auth, obj))
        payload = kwargs.get("payload")
        fields = {name: kwargs[name] for name in ids[1:]}
        fields.update(payload.dict(exclude_unset=only_given) if payload is not None else {})
        if fields or not only_given:
            done = refused_as_409(lambda: call(obj, actor=request.auth, **fields), *refusals)
            if isinstance(done, Status):
                return done
        return Status(status, load(request, kwargs[ids[0]]))

    # django-ninja reads the operation's parameters from the view's signature: name them.
    param = inspect.Parameter.POSITIONAL_OR_KEYWORD
    view.__signature__ = inspect.Signature(
        [inspect.Parameter("request", param, annotation=HttpRequest)]
        + [inspect.Parameter(name, param, annotation=id_type) for name in ids]
        + ([inspect.Parameter("payload", param, annotation=payload_in)] if payload_in else [])
    )
    response = {status: out, **{code: ErrorOut for code in errors}}
    register(path, response=response, **operation)(view)
