"""`{% product_picture picture sizes="..." alt="..." loading="lazy" %}`: a product image
as a `<picture>` (AVIF and WebP sources, a JPEG/PNG `<img>` fallback) with its `srcset`,
`sizes`, `width` and `height` (no layout shift). `loading`: "lazy" (the default: below
the fold), "eager" (in the first screen) or "priority" (the page's main picture:
fetched first, never lazy). `thumbnail=True` for small boxes: an image stored before
renditions existed then shows its thumbnail. Renders nothing for no picture."""

from __future__ import annotations

from typing import Any

from django import template

from comptoir.catalog.selectors.records import Picture

register = template.Library()

LOADINGS = ("lazy", "eager", "priority")


@register.inclusion_tag("storefront/includes/picture.html")
def product_picture(
    picture: Picture | None,
    *,
    sizes: str = "100vw",
    alt: str = "",
    loading: str = "lazy",
    css_class: str = "",
    thumbnail: bool = False,
) -> dict[str, Any]:
    if loading not in LOADINGS:
        raise template.TemplateSyntaxError(f"product_picture: loading must be one of {LOADINGS}")
    return {
        "picture": picture,
        # An image without renditions: its thumbnail in small boxes rather than the original.
        "src": picture.thumbnail_src if picture and thumbnail and not picture.srcset else "",
        "sizes": sizes,
        "alt": alt,
        "loading": loading,
        "css_class": css_class,
    }
