"""Product pictures on the pages: `<picture>` with AVIF and WebP sources, `srcset`, `sizes`,
`width`/`height` and lazy loading (the main picture fetched first), the gallery with its
zoom dialog, cards, cart lines and wishlists; images without renditions still shown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse

from comptoir.accounts.tests.factories import UserFactory
from comptoir.catalog import services as catalog_services
from comptoir.catalog.models import ProductImage
from comptoir.catalog.tests.factories import published_product
from comptoir.catalog.tests.test_services import raises
from comptoir.catalog.tests.test_services_media import picture
from comptoir.core.errors import InvalidInput
from comptoir.core.testing import LanguageClient
from comptoir.storefront.tests.conftest import Shop, Store, add_to_cart
from comptoir.wishlists import services as wishlist_services

pytestmark = pytest.mark.django_db

PICTURE = re.compile(r"<picture>.*?</picture>", re.S)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root: Path = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.MEDIA_URL = "/media/"
    return root


def pictures(html: str) -> list[str]:
    return PICTURE.findall(html)


def srcset(folder: str, stem: str, extension: str, widths: tuple[int, ...]) -> str:
    return ", ".join(f"/media/products/{folder}/{stem}-{w}w.{extension} {w}w" for w in widths)


class TestProductGallery:
    def test_pictures_offer_avif_webp_and_a_sized_fallback(
        self, client: Client, shop: Shop
    ) -> None:
        catalog_services.image_add(
            product=shop.drill,
            file=picture((1600, 1200), fmt="JPEG"),
            filename="face.jpg",
            alt="De face",
        )
        catalog_services.image_add(
            product=shop.drill,
            file=picture((600, 900), mode="RGBA"),
            filename="dos.png",
            alt="De dos",
        )

        html = client.get("/p/perceuse-visseuse/").content.decode()

        main = "(min-width: 72rem) 37rem, (min-width: 56rem) 52vw, 100vw"
        first, second, thumb_one, thumb_two = pictures(html)
        assert first == (
            "<picture>"
            f'<source type="image/avif" srcset="{srcset("perceuse-visseuse", "face", "avif", (320, 640, 960, 1280))}" sizes="{main}">'
            f'<source type="image/webp" srcset="{srcset("perceuse-visseuse", "face", "webp", (320, 640, 960, 1280))}" sizes="{main}">'
            '<img src="/media/products/perceuse-visseuse/face-640w.jpg" '
            f'srcset="{srcset("perceuse-visseuse", "face", "jpg", (320, 640, 960, 1280))}" sizes="{main}" '
            'alt="De face" width="1600" height="1200" fetchpriority="high">'
            "</picture>"
        )
        assert 'type="image/avif"' in second
        assert f'srcset="{srcset("perceuse-visseuse", "dos", "png", (320, 600))}"' in second
        assert 'alt="De dos" width="600" height="900" loading="lazy" decoding="async">' in second
        assert 'sizes="4rem"' in thumb_one
        assert 'alt="Photo 2" width="600" height="900" loading="lazy"' in thumb_two
        # Without JavaScript, each picture links to its full-size file.
        assert (
            '<a class="gallery__zoom" href="/media/products/perceuse-visseuse/face.jpg" data-gallery-open="0">'
            in html
        )
        assert "data-gallery-dialog" in html
        assert 'src="/static/storefront/js/gallery.js" defer' in html
        assert "storefront/css/gallery.css" in html

    def test_images_without_renditions_still_show(self, client: Client, shop: Shop) -> None:
        for i in range(2):
            ProductImage.objects.create(
                product=shop.drill,
                image=f"products/perceuse-visseuse/{i}.jpg",
                thumbnail=f"products/perceuse-visseuse/{i}-thumb.jpg",
                alt=f"Vue {i}",
                position=i,
            )

        html = client.get("/p/perceuse-visseuse/").content.decode()

        first, second, thumb_one, _thumb_two = pictures(html)
        assert first == (
            '<picture><img src="/media/products/perceuse-visseuse/0.jpg" alt="Vue 0" '
            'width="800" height="800" fetchpriority="high"></picture>'
        )
        assert (
            '<img src="/media/products/perceuse-visseuse/1.jpg" alt="Vue 1" width="800" height="800" loading="lazy" decoding="async">'
            in second
        )
        assert '<img src="/media/products/perceuse-visseuse/0-thumb.jpg" alt="Photo 1"' in thumb_one

    def test_a_product_without_pictures_loads_no_gallery(self, client: Client, shop: Shop) -> None:
        html = client.get("/p/perceuse-visseuse/").content.decode()

        assert "gallery.js" not in html
        assert "gallery.css" not in html
        assert "<picture>" not in html

    def test_the_picture_of_the_chosen_variant_is_marked(
        self, client: Client, store: Store
    ) -> None:
        second = store.saw.variants.order_by("position", "id")[1]
        catalog_services.image_add(product=store.saw, file=picture((400, 400)), filename="a.png")
        catalog_services.image_add(
            product=store.saw, file=picture((400, 400)), filename="b.png", variant=second
        )

        html = client.get(f"/p/{store.saw.slug}/").content.decode()

        assert f'<figure class="gallery__item" id="image-2" data-sku="{second.sku}">' in html
        assert '<figure class="gallery__item" id="image-1">' in html

    def test_a_bad_upload_is_still_refused(self, shop: Shop) -> None:
        with raises(InvalidInput, "IMAGE_INVALID"):
            catalog_services.image_add(product=shop.drill, file=b"GIF89a not really")

        assert not ProductImage.objects.exists()


class TestElsewhere:
    def test_cards_carry_their_picture_eager_on_top_of_the_page(
        self, client: Client, shop: Shop
    ) -> None:
        catalog_services.image_add(product=shop.drill, file=picture((900, 900)), filename="p.png")

        home = client.get("/").content.decode()
        category = client.get("/c/outillage/").content.decode()

        sizes = 'sizes="(min-width: 40rem) 17rem, 50vw"'
        # The home page shows the product in its new arrivals (on top: eager), then featured.
        card, featured = pictures(home)
        assert 'loading="lazy"' in featured
        assert (
            f'<source type="image/avif" srcset="{srcset("perceuse-visseuse", "p", "avif", (320, 640, 900))}" {sizes}>'
            in card
        )
        assert 'alt="" width="900" height="900" loading="eager" decoding="async">' in card
        [card] = pictures(category)  # the first four cards of a listing are eager too
        assert 'alt="" width="900" height="900" loading="eager" decoding="async">' in card

    def test_cards_below_the_first_four_are_lazy(self, client: Client, shop: Shop) -> None:
        products = [shop.drill] + [
            published_product(channel=shop.channel, category=shop.drills, slug=f"p{i}")
            for i in range(5)
        ]
        for i, product in enumerate(products):
            ProductImage.objects.create(
                product=product, image=f"p/{i}.jpg", thumbnail=f"p/{i}-t.webp"
            )

        html = client.get("/c/outillage/").content.decode()

        loadings = re.findall(r'<div class="card__media">\s*<picture>.*? (loading="\w+")', html)
        assert loadings[:4] == ['loading="eager"'] * 4
        assert loadings[4:] == ['loading="lazy"', 'loading="lazy"']

    def test_cart_lines_show_their_products_picture(self, store: Store) -> None:
        catalog_services.image_add(product=store.drill, file=picture((500, 250)), filename="d.png")
        client = LanguageClient(language="en")
        add_to_cart(client, store, store.drill)
        add_to_cart(client, store, store.lamp)

        html = client.get("/cart/").content.decode()

        [line] = pictures(html)
        assert 'sizes="4rem"' in line
        assert 'width="500" height="250" loading="lazy" decoding="async">' in line
        assert html.count("cart-line__name--pictured") == 1  # the lamp has no picture

    def test_wishlists_show_the_picture(self, store: Store) -> None:
        catalog_services.image_add(product=store.drill, file=picture((300, 300)), filename="d.png")
        lea = UserFactory.create()
        wishlist_services.wishlist_item_add(user=lea, channel=store.channel, product="perceuse")
        client = LanguageClient(language="en")
        client.force_login(lea)

        html = client.get(reverse("storefront:wishlist")).content.decode()

        [shown] = pictures(html)
        assert 'sizes="6rem"' in shown
        assert 'width="300" height="300" loading="lazy"' in shown


def test_the_tag_refuses_an_unknown_loading() -> None:
    template = Template('{% load storefront_pictures %}{% product_picture None loading="soon" %}')

    with pytest.raises(TemplateSyntaxError):
        template.render(Context())


def test_the_tag_renders_nothing_without_a_picture() -> None:
    template = Template("{% load storefront_pictures %}{% product_picture None %}")

    assert template.render(Context()) == ""
