"""Admin plumbing: forms that show domain errors, inlines that save through services,
and select fields whose choices are read once per page instead of once per row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from comptoir.core.errors import DomainError


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a domain error on the fields it names (on the form when it names none)."""
    placed = False
    for field, messages in exc.errors.items():
        if field in form.fields:
            for message in messages:
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
    """A model admin whose inline formsets are saved through their inline's services."""

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
