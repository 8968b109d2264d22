"""Admin plumbing shared by every app's back-office: model admins and inlines that save
and delete through services, forms that show domain errors on their fields (a refusal is
shown on the page, never a 500), and select fields whose choices are read once per page
instead of once per row."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.db import models, router, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from comptoir.accounts.models import User
from comptoir.core.errors import DomainError


def request_actor(request: HttpRequest) -> User | None:
    """The signed-in user of an admin request, recorded as the actor of the services it
    calls (None for anyone else)."""
    user = request.user
    return user if isinstance(user, User) else None


class ReadOnlyMixin:
    """Rows the services write and the admin only lists and shows (a ledger, a timeline,
    a cart): never added, changed or deleted here. For model admins and inlines alike."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def inline_pairs(formsets: Any, first: str, second: str) -> list[tuple[Any, Any]]:
    """The (`first`, `second`) values of every kept row of the inline formsets (tiers,
    weight brackets), for a service that replaces them all: deleted and blank rows are
    left out. The formsets are marked as saved (nothing for Django to save after)."""
    pairs: list[tuple[Any, Any]] = []
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            if data.get(first) is None and data.get(second) is None:
                continue
            pairs.append((data.get(first), data.get(second)))
    return pairs


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a domain error on the fields it names (on the form when it names none)."""
    placed = False
    for field, field_messages in exc.errors.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message if message != exc.code else exc.detail)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


class ServiceForm(forms.ModelForm):
    """A model form whose `check()` runs the services' own validators on clean."""

    def check(self, data: dict[str, Any]) -> None:
        """Raise a DomainError for input a service would refuse (override)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                self.check(data)
            except DomainError as exc:
                add_domain_error(self, exc)
        return data


SAVE_ERROR = "_comptoir_save_error"


@functools.wraps(delete_selected)
def delete_selected_through_services(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    """Django's "delete selected" action, all or nothing: the admin's `delete_queryset`
    deletes through the services, and a refusal (DomainError) rolls every deletion back
    and is shown as an error message."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return delete_selected(modeladmin, request, queryset)
    except DomainError as exc:
        modeladmin.message_user(request, exc.detail, level=messages.ERROR)
        return None


class SaveErrorMixin:
    """Makes a form invalid with the DomainError its save raised (see ServiceAdmin)."""

    save_error: DomainError

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        add_domain_error(self, self.save_error)  # type: ignore[arg-type]
        return data


def adopt(target: models.Model, source: models.Model) -> None:
    """Make the admin's object (already referenced by the form and the inline formsets)
    the row a service created or updated."""
    target.__dict__.update(source.__dict__)


def fresh[M: models.Model](instance: M) -> M:
    """The row as stored: services compare against the database, not against the
    attributes the form has already copied onto its instance."""
    return type(instance)._default_manager.get(pk=instance.pk)


def read_upload(upload: Any) -> tuple[bytes, str]:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data, upload.name or ""


class ServiceInline(admin.TabularInline):
    """An inline saved through services: `service_save(parent, form, created)` and
    `service_delete(parent, instance)`.

    Select fields named in `static_choice_fields` list their options from one query per
    page instead of one per row: the choices are read when the formset class is built
    and shared by every form."""

    extra = 0
    static_choice_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        field: Any = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.name in self.static_choice_fields:
            field.choices = list(iter(field.choices))  # no COUNT query first
        return field

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        formset.service_inline = self
        return formset

    def service_save(self, parent: Any, form: forms.ModelForm, *, created: bool) -> Any:
        raise NotImplementedError

    def service_delete(self, parent: Any, instance: Any) -> None:
        raise NotImplementedError


class ServiceAdmin(admin.ModelAdmin):
    """A model admin whose inline formsets are saved through their inline's services.

    A DomainError raised while saving (by the object's service or by an inline's, e.g. a
    second variant of a single-variant product) rolls the whole save back; the page is
    shown again with the posted data and the error, instead of a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            # Django runs the save in transaction.atomic: the exception rolls it back.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST":
                raise
            # Validate the same POST again with the error attached to the form: the page is
            # rendered with the posted data and nothing is saved.
            setattr(request, SAVE_ERROR, exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A deletion the service refuses (e.g. CATEGORY_IN_USE) is rolled back and shown
        as an error message on the object's page."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def get_actions(
        self, request: HttpRequest, action_location: Any = admin.ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            actions["delete_selected"] = dataclasses.replace(
                actions["delete_selected"], func=delete_selected_through_services
            )
        return actions

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class: Any = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, SAVE_ERROR, None)
        if error is None:
            return form_class
        return type(form_class.__name__, (SaveErrorMixin, form_class), {"save_error": error})

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        inline = getattr(formset, "service_inline", None)
        if inline is None:
            super().save_formset(request, form, formset, change)
            return
        parent = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            if row.instance.pk is None:
                continue
            if row in formset.deleted_forms:
                inline.service_delete(parent, row.instance)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                saved = inline.service_save(parent, row, created=False)
                formset.changed_objects.append((saved, row.changed_data))
        for row in formset.extra_forms:
            if not row.has_changed() or (formset.can_delete and formset._should_delete_form(row)):
                continue
            formset.new_objects.append(inline.service_save(parent, row, created=True))
