"""Generic page views: the home page and the one create/edit form view every app uses."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View


class ServiceFormView(LoginRequiredMixin, View):
    """Create or edit one object through its service, with errors shown next to the fields.

    Subclasses set `form_class`, `may_write(user)`, `create(actor=…, **fields)`,
    `update(instance, actor=…, **changes)` and, for editing, `visible(user=…)`.
    """

    form_class: type[ModelForm]
    template_name = "core/form.html"
    title = ""
    may_write: Callable[[Any], bool]
    create: Callable[..., Any] | None = None
    update: Callable[..., Any] | None = None
    visible: Callable[..., QuerySet] | None = None

    def get_instance(self, pk: int | None):
        if pk is None:
            return None
        obj = type(self).visible(user=self.request.user).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj

    def get_form(self, instance, data=None) -> ModelForm:
        form = self.form_class(data=data, instance=instance)
        limit = getattr(form, "limit_to_user", None)
        if limit:
            limit(self.request.user)
        return form

    def initial_for_create(self) -> dict:
        return {}

    def check(self) -> None:
        if not type(self).may_write(self.request.user):
            raise PermissionDenied

    def render_form(self, form, instance) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": instance,
                "title": self.title,
                "cancel_url": self.cancel_url(instance),
            },
        )

    def success_url(self, obj) -> str:
        raise NotImplementedError

    def cancel_url(self, instance) -> str:
        if instance is not None:
            return self.success_url(instance)
        return url_has_allowed_host_and_scheme_or(self.request, self.request.GET.get("next"), "/")

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = self.get_instance(pk)
        self.check()
        form = self.get_form(instance)
        if instance is None:
            form.initial.update(
                {k: v for k, v in request.GET.items() if k in form.fields}
                | self.initial_for_create()
            )
        return self.render_form(form, instance)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = self.get_instance(pk)
        self.check()
        form = self.get_form(instance, data=request.POST)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.fields}
            try:
                if instance is None:
                    obj = type(self).create(actor=request.user, **fields)
                else:
                    changed = {name: fields[name] for name in form.changed_data}
                    obj = (
                        type(self).update(instance, actor=request.user, **changed)
                        if changed
                        else instance
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.success_url(obj))
        return self.render_form(form, instance)


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal next to the fields the form has, the rest above them."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def url_has_allowed_host_and_scheme_or(request: HttpRequest, url: str | None, default: str) -> str:
    """`url` when it is a safe local address, else `default`."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return default
