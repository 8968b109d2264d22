"""Admin for the catalog's structure: categories, attributes and product types."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from comptoir.catalog import services
from comptoir.catalog.admin.base import (
    ServiceAdmin,
    ServiceForm,
    ServiceInline,
    adopt,
    fresh,
)
from comptoir.catalog.models import (
    Attribute,
    AttributeChoice,
    AttributeTranslation,
    Category,
    CategoryTranslation,
    ProductType,
)

CATEGORY_FIELDS = (
    "name",
    "slug",
    "parent",
    "description",
    "position",
    "is_active",
    "seo_title",
    "seo_description",
    "external_ref",
    "metadata",
)


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = CATEGORY_FIELDS

    def check(self, data: dict[str, Any]) -> None:
        existing = self.instance if self.instance.pk else None
        services.category_check_parent(category=existing, parent=data.get("parent"))


class CategoryTranslationInline(ServiceInline):
    model = CategoryTranslation
    fields = ("language", "name", "description", "seo_title", "seo_description")
    max_num = 2

    def service_save(self, parent: Category, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if not created and "language" in form.changed_data:
            services.category_translation_delete(category=parent, language=form.initial["language"])
        return services.category_translation_set(
            category=parent,
            language=data["language"],
            name=data["name"],
            description=data.get("description", ""),
            seo_title=data.get("seo_title", ""),
            seo_description=data.get("seo_description", ""),
        )

    def service_delete(self, parent: Category, instance: CategoryTranslation) -> None:
        services.category_translation_delete(category=parent, language=instance.language)


@admin.register(Category)
class CategoryAdmin(ServiceAdmin):
    form = CategoryForm
    list_display = ("tree_name", "slug", "position", "is_active", "product_count")
    list_display_links = ("tree_name",)
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent", "parent__parent")
    search_fields = ("name", "slug", "translations__name", "external_ref")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    inlines = (CategoryTranslationInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "description", "position", "is_active")}),
        (_("Search engines"), {"fields": ("seo_title", "seo_description")}),
        (_("Integration"), {"fields": ("external_ref", "metadata"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    def get_ordering(self, request: HttpRequest) -> Any:
        # Tree order: each top category followed by its children (two levels deep).
        return [
            Coalesce("parent__position", "position"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "position",
            "id",
        ]

    @admin.display(description=_("category"), ordering="name")
    def tree_name(self, obj: Category) -> str:
        # Two ancestors are loaded with the row (list_select_related); deeper ones are only
        # hinted at by their id, never fetched (one query per row otherwise).
        names, node = [obj.name], obj
        for _depth in range(2):
            parent = node.parent if node.parent_id is not None else None
            if parent is None:
                break
            node = parent
            names.insert(0, node.name)
        if node.parent_id is not None:
            names.insert(0, "…")
        return " \u203a ".join(names)  # single right-pointing angle quotation mark

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, obj: Category) -> int:
        return getattr(obj, "product_total", 0)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in CATEGORY_FIELDS}
        if change:
            adopt(obj, services.category_update(category=fresh(obj), **data))
        else:
            adopt(obj, services.category_create(**data))

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        services.category_delete(category=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        # Django's confirmation page already refuses categories that hold products or
        # subcategories (PROTECT); the service refuses them too if one was added meanwhile.
        for category in queryset.order_by("pk"):
            services.category_delete(category=category)


class AttributeChoiceInline(ServiceInline):
    model = AttributeChoice
    fields = ("value", "value_en", "slug", "position")

    def service_save(self, parent: Attribute, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if created:
            return services.attribute_choice_add(
                attribute=parent,
                value=data["value"],
                value_en=data.get("value_en", ""),
                slug=data.get("slug", ""),
                position=data.get("position"),
            )
        return services.attribute_choice_update(
            choice=fresh(form.instance),
            value=data["value"],
            value_en=data.get("value_en", ""),
            position=data["position"],
        )

    def service_delete(self, parent: Attribute, instance: AttributeChoice) -> None:
        services.attribute_choice_delete(choice=instance)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A choice's slug is its identity in filters and integrations: set once.
        return ("slug",) if obj is not None and obj.pk else ()


class AttributeTranslationInline(ServiceInline):
    model = AttributeTranslation
    fields = ("language", "name")
    max_num = 2

    def service_save(self, parent: Attribute, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if not created and "language" in form.changed_data:
            services.attribute_translation_delete(
                attribute=parent, language=form.initial["language"]
            )
        services.attribute_translation_set(
            attribute=parent, language=data["language"], name=data["name"]
        )
        return parent.translations.get(language=data["language"])

    def service_delete(self, parent: Attribute, instance: AttributeTranslation) -> None:
        services.attribute_translation_delete(attribute=parent, language=instance.language)


class AttributeForm(ServiceForm):
    class Meta:
        model = Attribute
        fields = ("name", "slug", "kind", "unit", "filterable")

    def check(self, data: dict[str, Any]) -> None:
        kind = data.get("kind") or self.instance.kind
        if data.get("unit") and kind != "number":
            self.add_error("unit", _("Only number attributes have a unit."))


@admin.register(Attribute)
class AttributeAdmin(ServiceAdmin):
    form = AttributeForm
    list_display = ("name", "slug", "kind", "unit", "filterable", "choice_count")
    list_filter = ("kind", "filterable")
    search_fields = ("name", "slug", "translations__name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeTranslationInline, AttributeChoiceInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attribute]:
        return super().get_queryset(request).annotate(choice_total=Count("choices"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Stored values depend on the kind; the slug is used by filters and the API.
        return ("slug", "kind") if obj is not None else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return {} if obj is not None else self.prepopulated_fields

    @admin.display(description=_("choices"), ordering="choice_total")
    def choice_count(self, obj: Attribute) -> int:
        return getattr(obj, "choice_total", 0)

    def save_model(self, request: HttpRequest, obj: Attribute, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            adopt(
                obj,
                services.attribute_update(
                    attribute=fresh(obj),
                    name=data["name"],
                    unit=data.get("unit", ""),
                    filterable=data["filterable"],
                ),
            )
        else:
            adopt(
                obj,
                services.attribute_create(
                    name=data["name"],
                    slug=data["slug"],
                    kind=data["kind"],
                    unit=data.get("unit", ""),
                    filterable=data["filterable"],
                ),
            )

    def delete_model(self, request: HttpRequest, obj: Attribute) -> None:
        services.attribute_delete(attribute=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Attribute]) -> None:
        for attribute in queryset.order_by("pk"):
            services.attribute_delete(attribute=attribute)


class ProductTypeForm(ServiceForm):
    class Meta:
        model = ProductType
        fields = ("name", "slug", "has_variants", "product_attributes", "variant_attributes")

    def check(self, data: dict[str, Any]) -> None:
        both = set(data.get("product_attributes") or ()) & set(data.get("variant_attributes") or ())
        if both:
            self.add_error(
                "variant_attributes",
                _("An attribute is either a product attribute or a variant attribute."),
            )


@admin.register(ProductType)
class ProductTypeAdmin(ServiceAdmin):
    form = ProductTypeForm
    list_display = ("name", "slug", "has_variants", "product_count")
    list_filter = ("has_variants",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("product_attributes", "variant_attributes")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductType]:
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, obj: ProductType) -> int:
        return getattr(obj, "product_total", 0)

    def save_model(self, request: HttpRequest, obj: ProductType, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {
            "name": data["name"],
            "slug": data["slug"],
            "has_variants": data["has_variants"],
            "product_attributes": list(data["product_attributes"]),
            "variant_attributes": list(data["variant_attributes"]),
        }
        if change:
            adopt(obj, services.product_type_update(product_type=fresh(obj), **values))
        else:
            adopt(obj, services.product_type_create(**values))

    def delete_model(self, request: HttpRequest, obj: ProductType) -> None:
        services.product_type_delete(product_type=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductType]) -> None:
        for product_type in queryset.order_by("pk"):
            services.product_type_delete(product_type=product_type)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The attributes were set by the service in save_model (which also drops the
        # values of attributes removed from the type): no form.save_m2m() here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
