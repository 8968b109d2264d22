"""Admin for products, with inlines for translations, attribute values, variants, images,
documents and channel listings; actions publish or unpublish in a chosen channel."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.catalog import services
from comptoir.catalog.admin.base import (
    ServiceAdmin,
    ServiceForm,
    ServiceInline,
    adopt,
    fresh,
    read_upload,
)
from comptoir.catalog.admin.forms import ProductAttributeValueForm, choice_label
from comptoir.catalog.images import image_inspect
from comptoir.catalog.models import (
    AttributeChoice,
    Product,
    ProductAttributeValue,
    ProductChannelListing,
    ProductDocument,
    ProductImage,
    ProductTranslation,
    ProductType,
    ProductVariant,
)
from comptoir.channels.models import Channel
from comptoir.core.errors import DomainError
from comptoir.inventory import services as inventory

PRODUCT_FIELDS = (
    "product_type",
    "category",
    "name",
    "slug",
    "description",
    "brand",
    "seo_title",
    "seo_description",
    "external_ref",
    "metadata",
)
VARIANT_FIELDS = (
    "sku",
    "gtin",
    "name",
    "name_en",
    "position",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
)


class ChannelActionForm(ActionForm):
    channel = forms.ModelChoiceField(
        label=_("Channel:"), queryset=Channel.objects.filter(is_active=True), required=False
    )


class PublishedFilter(admin.SimpleListFilter):
    title = _("published in")
    parameter_name = "published_in"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        channels = [(c.code, c.name) for c in Channel.objects.order_by("id")]
        return [*channels, ("none", _("No channel"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        value = self.value()
        if value == "none":
            return queryset.exclude(channel_listings__is_published=True)
        if value:
            return queryset.filter(
                channel_listings__channel__code=value, channel_listings__is_published=True
            )
        return queryset


class ProductForm(ServiceForm):
    model_3d_upload = forms.FileField(label=_("new 3D model (.glb, .gltf)"), required=False)
    model_3d_usdz_upload = forms.FileField(label=_("new AR model (.usdz)"), required=False)
    model_3d_remove = forms.BooleanField(label=_("remove the 3D model"), required=False)
    model_3d_usdz_remove = forms.BooleanField(label=_("remove the AR model"), required=False)

    class Meta:
        model = Product
        fields = (*PRODUCT_FIELDS, "allow_backorders")

    def check(self, data: dict[str, Any]) -> None:
        for field, extensions in (
            ("model_3d_upload", ("glb", "gltf")),
            ("model_3d_usdz_upload", ("usdz",)),
        ):
            upload = data.get(field)
            if not upload:
                continue
            try:
                extension = services.model_3d_check(*read_upload(upload))
            except DomainError as exc:
                self.add_error(field, exc.detail)
                continue
            if extension not in extensions:
                self.add_error(field, _("Use a %s file.") % " / ".join(extensions))


class ProductTranslationInline(ServiceInline):
    model = ProductTranslation
    fields = ("language", "name", "description", "seo_title", "seo_description")
    max_num = 2

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if not created and "language" in form.changed_data:
            services.product_translation_delete(product=parent, language=form.initial["language"])
        return services.product_translation_set(
            product=parent,
            language=data["language"],
            name=data["name"],
            description=data.get("description", ""),
            seo_title=data.get("seo_title", ""),
            seo_description=data.get("seo_description", ""),
        )

    def service_delete(self, parent: Product, instance: ProductTranslation) -> None:
        services.product_translation_delete(product=parent, language=instance.language)


class AttributeValueInline(ServiceInline):
    fields = ("attribute", "value", "choice")
    static_choice_fields = ("attribute",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A row's label (`__str__`) and its form read the attribute and the choice.
        return super().get_queryset(request).select_related("attribute", "choice")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "choice":
            kwargs["queryset"] = AttributeChoice.objects.select_related("attribute").order_by(
                "attribute__name", "position", "id"
            )
        field: Any = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "choice" and field is not None:
            field.label_from_instance = choice_label  # "Couleur : Vert sauge"
            field.choices = list(iter(field.choices))  # one query per page, not per row
        return field


class ProductAttributeValueInline(AttributeValueInline):
    model = ProductAttributeValue
    form = ProductAttributeValueForm

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        attribute = form.cleaned_data["attribute"]
        if not created and "attribute" in form.changed_data:
            services.product_attribute_set(
                product=parent, attribute=fresh(form.instance).attribute, value=None
            )
        return services.product_attribute_set(
            product=parent, attribute=attribute, value=form.parsed
        )

    def service_delete(self, parent: Product, instance: ProductAttributeValue) -> None:
        services.product_attribute_set(product=parent, attribute=instance.attribute, value=None)


class VariantInlineForm(ServiceForm):
    class Meta:
        model = ProductVariant
        fields = VARIANT_FIELDS

    def check(self, data: dict[str, Any]) -> None:
        data["sku"] = services.sku_normalize(data.get("sku", ""))
        data["gtin"] = services.gtin_normalize(data.get("gtin", ""))
        services.measures_check(
            {f: data.get(f) for f in VARIANT_FIELDS if f.endswith(("_mm", "_grams"))}
        )


class VariantFormSet(forms.BaseInlineFormSet):
    """Refuses, before anything is saved, more than one variant for a product whose type
    has a single variant (the check `variant_create` makes, VARIANTS_NOT_ALLOWED)."""

    def clean(self) -> None:
        super().clean()
        product_type_id = getattr(self.instance, "product_type_id", None)
        if product_type_id is None:
            return
        kept = [
            form
            for form in self.forms
            if form.is_valid()
            and not (self.can_delete and form.cleaned_data.get("DELETE"))
            and (form.instance.pk is not None or form.has_changed())
        ]
        if (
            len(kept) > 1
            and not ProductType.objects.filter(pk=product_type_id, has_variants=True).exists()
        ):
            raise forms.ValidationError(
                _("This product type has a single variant: keep only one."),
                code="VARIANTS_NOT_ALLOWED",
            )


class VariantInline(ServiceInline):
    model = ProductVariant
    form = VariantInlineForm
    formset = VariantFormSet
    fields = VARIANT_FIELDS
    show_change_link = True  # prices per channel are edited on the variant's page

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        data = {field: form.cleaned_data.get(field) for field in VARIANT_FIELDS}
        for text in ("gtin", "name", "name_en"):
            data[text] = data[text] or ""
        if created:
            return services.variant_create(product=parent, **data)
        return services.variant_update(variant=fresh(form.instance), **data)

    def service_delete(self, parent: Product, instance: ProductVariant) -> None:
        services.variant_delete(variant=instance)


class ImageForm(ServiceForm):
    upload = forms.FileField(label=_("image file"), required=False)

    class Meta:
        model = ProductImage
        fields = ("alt", "alt_en", "variant", "position")

    def check(self, data: dict[str, Any]) -> None:
        upload = data.get("upload")
        if upload:
            try:
                image_inspect(read_upload(upload)[0])
            except DomainError as exc:
                self.add_error("upload", exc.detail)
        elif not self.instance.pk:
            self.add_error("upload", _("Choose an image file."))


def media_preview(image: ProductImage | None, size: int = 64) -> SafeString | str:
    if image is None or not (image.thumbnail or image.image):
        return ""
    url = (image.thumbnail or image.image).url
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" style="object-fit:cover">', url, size, size
    )


class ProductImageInline(ServiceInline):
    model = ProductImage
    form = ImageForm
    fields = ("preview", "upload", "alt", "alt_en", "variant", "position")
    readonly_fields = ("preview",)

    @admin.display(description=_("thumbnail"))
    def preview(self, obj: ProductImage) -> SafeString | str:
        return media_preview(obj if obj.pk else None, 96)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["variant"]
        field.queryset = ProductVariant.objects.filter(product=obj if obj and obj.pk else None)
        field.choices = list(iter(field.choices))
        return formset

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        upload = data.get("upload")
        if created:
            return services.image_add(
                product=parent,
                file=upload,
                alt=data.get("alt", ""),
                alt_en=data.get("alt_en", ""),
                variant=data.get("variant"),
                position=data.get("position"),
            )
        return services.image_update(
            image=fresh(form.instance),
            alt=data.get("alt", ""),
            alt_en=data.get("alt_en", ""),
            variant=data.get("variant"),
            position=data["position"],
            file=upload if upload else services.UNSET,
        )

    def service_delete(self, parent: Product, instance: ProductImage) -> None:
        services.image_delete(image=instance)


class DocumentForm(ServiceForm):
    upload = forms.FileField(label=_("file"), required=False)

    class Meta:
        model = ProductDocument
        fields = ("kind", "title", "language", "position")

    def check(self, data: dict[str, Any]) -> None:
        upload = data.get("upload")
        if upload:
            try:
                services.document_check(*read_upload(upload))
            except DomainError as exc:
                self.add_error("upload", exc.detail)
        elif not self.instance.pk:
            self.add_error("upload", _("Choose a file."))


class ProductDocumentInline(ServiceInline):
    model = ProductDocument
    form = DocumentForm
    fields = ("kind", "title", "language", "link", "upload", "position")
    readonly_fields = ("link",)

    @admin.display(description=_("current file"))
    def link(self, obj: ProductDocument) -> SafeString | str:
        if not obj.pk or not obj.file:
            return ""
        return format_html(
            '<a href="{}">{}</a>', obj.file.url, (obj.file.name or "").rsplit("/", 1)[-1]
        )

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        upload = data.get("upload")
        if created:
            return services.document_add(
                product=parent,
                kind=data["kind"],
                title=data["title"],
                language=data["language"],
                file=upload,
                position=data.get("position"),
            )
        return services.document_update(
            document=fresh(form.instance),
            kind=data["kind"],
            title=data["title"],
            language=data["language"],
            position=data["position"],
            file=upload if upload else services.UNSET,
        )

    def service_delete(self, parent: Product, instance: ProductDocument) -> None:
        services.document_delete(document=instance)


class ChannelListingInline(ServiceInline):
    model = ProductChannelListing
    fields = ("channel", "is_published", "published_at", "price_from")
    readonly_fields = ("price_from",)
    static_choice_fields = ("channel",)

    def service_save(self, parent: Product, form: Any, *, created: bool) -> Any:
        data = form.cleaned_data
        if not created and "channel" in form.changed_data:
            services.product_listing_delete(product=parent, channel=fresh(form.instance).channel)
        return services.product_listing_set(
            product=parent,
            channel=data["channel"],
            is_published=data["is_published"],
            published_at=data.get("published_at"),
        )

    def service_delete(self, parent: Product, instance: ProductChannelListing) -> None:
        services.product_listing_delete(product=parent, channel=instance.channel)


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    form = ProductForm
    action_form = ChannelActionForm
    actions = ("publish_in_channel", "unpublish_from_channel")
    list_display = (
        "preview",
        "name",
        "brand",
        "category",
        "product_type",
        "variant_count",
        "listings",
        "updated_at",
    )
    list_display_links = ("preview", "name")
    list_filter = (
        PublishedFilter,
        ("category", admin.RelatedOnlyFieldListFilter),
        "product_type",
        "brand",
    )
    list_select_related = ("category", "product_type")
    list_per_page = 50
    search_fields = (
        "name",
        "slug",
        "brand",
        "external_ref",
        "variants__sku",
        "variants__gtin",
        "translations__name",
    )
    search_help_text = _("Name, slug, brand, SKU, GTIN or external reference.")
    autocomplete_fields = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("model_3d", "model_3d_usdz", "created_at", "updated_at")
    inlines = (
        ProductTranslationInline,
        ProductAttributeValueInline,
        VariantInline,
        ProductImageInline,
        ProductDocumentInline,
        ChannelListingInline,
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "product_type", "category", "brand", "description")}),
        (_("Stock"), {"fields": ("allow_backorders",)}),
        (_("Search engines"), {"fields": ("seo_title", "seo_description")}),
        (
            _("3D and augmented reality"),
            {
                "fields": (
                    ("model_3d", "model_3d_upload", "model_3d_remove"),
                    ("model_3d_usdz", "model_3d_usdz_upload", "model_3d_usdz_remove"),
                ),
                "classes": ("collapse",),
            },
        ),
        (
            _("Integration"),
            {
                "fields": ("external_ref", "metadata", "created_at", "updated_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        queryset = super().get_queryset(request)
        match = getattr(request, "resolver_match", None)
        if match is None or not (match.url_name or "").endswith("changelist"):
            return queryset
        return queryset.annotate(variant_total=Count("variants", distinct=True)).prefetch_related(
            Prefetch(
                "channel_listings",
                queryset=ProductChannelListing.objects.select_related("channel").order_by(
                    "channel_id"
                ),
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )

    @admin.display(description=_("image"))
    def preview(self, obj: Product) -> SafeString | str:
        images = list(obj.images.all())
        return media_preview(images[0] if images else None, 48)

    @admin.display(description=_("variants"), ordering="variant_total")
    def variant_count(self, obj: Product) -> int:
        return getattr(obj, "variant_total", 0)

    @admin.display(description=_("channels (lowest price)"))
    def listings(self, obj: Product) -> SafeString:
        return format_html_join(
            "",
            '<div title="{}">{} {} {}</div>',
            (
                (
                    listing.channel.name,
                    "✔" if listing.is_published else "✘",
                    listing.channel.code,
                    listing.price_from if listing.price_from is not None else "-",
                )
                for listing in obj.channel_listings.all()
            ),
        )

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        data = {field: form.cleaned_data.get(field) for field in PRODUCT_FIELDS}
        for text in ("slug", "description", "brand", "seo_title", "seo_description"):
            data[text] = data[text] or ""
        data["metadata"] = data["metadata"] or {}
        if change:
            product = services.product_update(product=fresh(obj), **data)
        else:
            product = services.product_create(**data)
        if form.cleaned_data.get("model_3d_remove"):
            services.model_3d_remove(product=product)
        if form.cleaned_data.get("model_3d_usdz_remove"):
            services.model_3d_remove(product=product, usdz=True)
        for field in ("model_3d_upload", "model_3d_usdz_upload"):
            if upload := form.cleaned_data.get(field):
                services.model_3d_set(product=product, file=upload)
        if "allow_backorders" in form.cleaned_data:
            # No actor: the admin's own history entry names the field.
            inventory.product_backorders_set(
                product=product, allow=form.cleaned_data["allow_backorders"]
            )
        adopt(obj, product)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            services.product_delete(product=product)

    def _action_channel(self, request: HttpRequest) -> Channel | None:
        wanted = request.POST.get("channel", "")
        channel = Channel.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if channel is None:
            self.message_user(
                request, _("Choose a channel next to the action."), level=messages.ERROR
            )
        return channel

    @admin.action(description=_("Publish in the chosen channel"), permissions=["change"])
    def publish_in_channel(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        channel = self._action_channel(request)
        if channel is None:
            return
        products = list(queryset.order_by("pk"))
        for product in products:
            services.product_publish(product=product, channel=channel)
        self.message_user(
            request,
            ngettext(
                "%(count)d product published in %(channel)s.",
                "%(count)d products published in %(channel)s.",
                len(products),
            )
            % {"count": len(products), "channel": channel.name},
            level=messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish from the chosen channel"), permissions=["change"])
    def unpublish_from_channel(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        channel = self._action_channel(request)
        if channel is None:
            return
        products = list(queryset.order_by("pk"))
        for product in products:
            services.product_unpublish(product=product, channel=channel)
        self.message_user(
            request,
            ngettext(
                "%(count)d product unpublished from %(channel)s.",
                "%(count)d products unpublished from %(channel)s.",
                len(products),
            )
            % {"count": len(products), "channel": channel.name},
            level=messages.SUCCESS,
        )
