"""The reviews and questions of the product page: what it shows (approved only, summary,
verified badge, escaped text), the forms (CSRF, bad input, a second review, the rate
limit, someone else's review), and a query count that does not grow with the reviews."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.accounts.models import User
from comptoir.accounts.tests.factories import StaffFactory, UserFactory
from comptoir.catalog.models import Product, ProductVariant
from comptoir.core.testing import in_language
from comptoir.orders.tests.factories import make_order
from comptoir.reviews.models import Answer, ModerationStatus, Question, Review, ReviewVote
from comptoir.reviews.services import review_vote
from comptoir.reviews.tests.factories import answer, question, review
from comptoir.storefront.tests.conftest import Shop
from comptoir.storefront.tests.test_product import jsonld

pytestmark = pytest.mark.django_db

SLUG = "perceuse-visseuse"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def url(slug: str = SLUG) -> str:
    return reverse("storefront:product", args=[slug])


def html_of(client: Client, slug: str = SLUG) -> str:
    response = client.get(url(slug))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user: User | None = None) -> tuple[Client, User]:
    user = user or UserFactory.create()
    client = Client()
    client.force_login(user)
    return client, user


def post(client: Client, name: str, arg: Any, data: dict[str, Any]) -> Any:
    return client.post(reverse(f"storefront:{name}", args=[arg]), data)


REVIEW = {"rating": "4", "title": "Très bien", "text": "Solide et légère."}


# --- what the page shows ------------------------------------------------------------------


def test_summary_distribution_and_approved_reviews(client: Client, shop: Shop) -> None:
    buyer = UserFactory.create(first_name="Léa", last_name="Durand")
    variant = ProductVariant.objects.get(product=shop.drill)
    make_order(items=[(variant, 1)], channel=shop.channel, user=buyer, paid=True)
    review(shop.drill, user=buyer, rating=5, title="Parfaite", text="Ligne 1\nLigne 2")
    review(shop.drill, rating=2, title="Bof")
    review(shop.drill, rating=1, title="Pas encore modéré", approved=False)

    html = html_of(client)

    assert 'id="reviews"' in html
    assert "Parfaite" in html
    assert "Bof" in html
    assert "Pas encore modéré" not in html
    assert "Léa D." in html
    assert html.count("Achat vérifié") == 1
    assert "3,5 sur 5, 2 avis" in html  # the average as text, not only stars
    assert '<meter min="0" max="100" value="50"' in html
    assert "1 (50&nbsp;%)" in html
    # a visitor is invited to sign in, with no form to post
    assert reverse("accounts:login") in html
    assert reverse("storefront:review_post", args=[SLUG]) not in html


def test_json_ld_carries_the_aggregate_rating(client: Client, shop: Shop) -> None:
    assert "aggregateRating" not in jsonld(html_of(client))
    review(shop.drill, rating=5)
    review(shop.drill, rating=4)
    review(shop.drill, rating=1, approved=False)
    assert jsonld(html_of(client))["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.50",
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_no_reviews_yet(client: Client, shop: Shop) -> None:
    html = html_of(client)
    assert "Aucun avis pour l'instant." in html
    assert "Aucune question pour l'instant." in html


def test_english_page(client: Client, shop: Shop) -> None:
    review(shop.drill, rating=4)
    response = client.get(in_language(url(), "en"))
    html = response.content.decode()
    assert "Customer reviews" in html
    assert "4.0 out of 5, 1 review" in html


def test_script_payloads_are_escaped(client: Client, shop: Shop) -> None:
    review(shop.drill, title=XSS, text=XSS)
    answer(question(shop.drill, text=XSS), text=XSS)

    html = html_of(client)

    assert "alert(" in html  # shown, as text
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # only the page's own scripts: htmx, the cart drawer's and the JSON-LD blocks (Product, BreadcrumbList)
    assert html.count("<script") == 4


def test_the_review_form_for_a_signed_in_customer(shop: Shop) -> None:
    client, _user = signed_in()
    html = html_of(client)
    assert reverse("storefront:review_post", args=[SLUG]) in html
    assert "<legend>Votre note</legend>" in html
    assert 'type="radio" name="rating" value="5"' in html
    assert "csrfmiddlewaretoken" in html


def test_an_author_sees_the_state_of_their_review_instead_of_the_form(shop: Shop) -> None:
    client, user = signed_in()
    review(shop.drill, user=user, approved=False)
    html = html_of(client)
    assert "Votre avis est en attente de modération." in html
    assert reverse("storefront:review_post", args=[SLUG]) not in html


def test_pages_of_reviews(client: Client, shop: Shop) -> None:
    for n in range(12):
        review(shop.drill, title=f"Avis {n:02d}")
    first = html_of(client)
    second = client.get(url(), {"reviews_page": 2}).content.decode()
    assert first.count('class="review" id="review-') == 10
    assert second.count('class="review" id="review-') == 2
    assert "Page 2 sur 2" in second
    assert client.get(url(), {"reviews_page": "abc"}).status_code == 200
    assert client.get(url(), {"reviews_page": "999999999"}).status_code == 200


# --- posting a review --------------------------------------------------------------------------


def test_post_a_review(shop: Shop) -> None:
    client, user = signed_in()
    response = post(client, "review_post", SLUG, REVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"{url()}#reviews"
    created = Review.objects.get(user=user)
    assert (created.rating, created.status) == (4, ModerationStatus.PENDING)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Merci ! Votre avis apparaîtra une fois modéré."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**REVIEW, "rating": ""}, "Choisissez une note de 1 à 5 étoiles."),
        ({**REVIEW, "rating": "6"}, "Sélectionnez un choix valide."),
        ({**REVIEW, "text": "  "}, "Ce champ est obligatoire."),
        ({**REVIEW, "text": "\x01\x02"}, "Ce champ est obligatoire."),
        ({**REVIEW, "title": "t" * 151}, "150"),
    ],
)
def test_bad_reviews_show_the_form_again(shop: Shop, data: dict[str, str], message: str) -> None:
    client, _user = signed_in()
    response = post(client, "review_post", SLUG, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.exists()


def test_a_second_review_is_refused_on_the_form(shop: Shop) -> None:
    client, user = signed_in()
    review(shop.drill, user=user)
    response = post(client, "review_post", SLUG, REVIEW)
    assert response.status_code == 409
    assert "Vous avez déjà donné votre avis sur ce produit." in response.content.decode()
    assert Review.objects.filter(user=user).count() == 1


@override_settings(COMPTOIR_REVIEWS_RATE_LIMITS={"question": (5, 2, 3600)})
def test_the_rate_limit_per_address_is_a_form_error(shop: Shop) -> None:
    for n in range(2):
        client, _user = signed_in()
        assert post(client, "question_post", SLUG, {"text": f"Q{n}"}).status_code == 302
    client, _user = signed_in()
    response = post(client, "question_post", SLUG, {"text": "Encore une"})
    assert response.status_code == 429
    assert "Vous publiez trop souvent." in response.content.decode()
    assert Question.objects.count() == 2


def test_posting_needs_an_account_and_csrf(shop: Shop) -> None:
    anonymous = Client()
    response = post(anonymous, "review_post", SLUG, REVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory.create())
    assert post(strict, "review_post", SLUG, REVIEW).status_code == 403
    assert not Review.objects.exists()


def test_unknown_product(shop: Shop) -> None:
    client, _user = signed_in()
    assert post(client, "review_post", "nope", REVIEW).status_code == 404
    assert client.get(reverse("storefront:review_post", args=[SLUG])).status_code == 405


# --- votes ------------------------------------------------------------------------------------


def test_helpful_vote(shop: Shop) -> None:
    theirs = review(shop.drill)
    client, _user = signed_in()
    assert f'action="{reverse("storefront:review_vote", args=[theirs.pk])}"' in html_of(client)

    response = post(client, "review_vote", theirs.pk, {})
    assert response.status_code == 302
    assert response["Location"] == f"{url()}#review-{theirs.pk}"
    post(client, "review_vote", theirs.pk, {})  # twice: counted once
    assert Review.objects.get(pk=theirs.pk).helpful_count == 1
    html = html_of(client)
    assert "Vous avez trouvé cet avis utile." in html
    assert f'action="{reverse("storefront:review_vote", args=[theirs.pk])}"' not in html


def test_no_vote_on_ones_own_or_a_hidden_review(shop: Shop) -> None:
    client, user = signed_in()
    mine = review(shop.drill, user=user)
    assert f'action="{reverse("storefront:review_vote", args=[mine.pk])}"' not in html_of(client)
    response = post(client, "review_vote", mine.pk, {})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Vous ne pouvez pas voter pour votre propre avis."
    ]
    hidden = review(shop.drill, approved=False)
    assert post(client, "review_vote", hidden.pk, {}).status_code == 404
    assert post(client, "review_vote", 10**9, {}).status_code == 404
    assert not ReviewVote.objects.exists()


# --- questions and answers ------------------------------------------------------------------


def test_ask_and_answer(shop: Shop) -> None:
    client, _user = signed_in()
    response = post(client, "question_post", SLUG, {"text": "Livrée avec coffret ?"})
    assert response["Location"] == f"{url()}#questions"
    assert Question.objects.get().status == ModerationStatus.PENDING

    public = question(shop.drill, text="Batterie incluse ?")
    response = post(client, "answer_post", public.pk, {"text": "Oui, 2 Ah."})
    assert response["Location"] == f"{url()}#question-{public.pk}"
    assert Answer.objects.get(question=public).status == ModerationStatus.PENDING

    staff_client, _staff = signed_in(StaffFactory.create())
    post(staff_client, "answer_post", public.pk, {"text": "Oui, une batterie 2 Ah."})
    html = html_of(client)
    assert "Réponse de la boutique" in html
    assert "Oui, une batterie 2 Ah." in html


def test_bad_answers(shop: Shop) -> None:
    client, _user = signed_in()
    public = question(shop.drill)
    response = post(client, "answer_post", public.pk, {"text": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    pending = Question.objects.create(product=shop.drill, user=UserFactory.create(), text="?")
    assert post(client, "answer_post", pending.pk, {"text": "x"}).status_code == 404
    assert post(client, "answer_post", 10**9, {"text": "x"}).status_code == 404
    assert not Answer.objects.exists()


# --- queries ----------------------------------------------------------------------------------


def _count(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        html_of(client)
    return len(ctx.captured_queries)


def _more(product: Product, n: int) -> None:
    for _ in range(n):
        answer(question(product))
        theirs = review(product)
        review_vote(user=UserFactory.create(), review_id=theirs.pk)


def test_query_count_does_not_grow_with_reviews_and_questions(shop: Shop) -> None:
    visitor = Client()
    customer, user = signed_in()
    _more(shop.drill, 1)
    html_of(visitor)  # warm the category cache
    html_of(customer)

    few = (_count(visitor), _count(customer))
    _more(shop.drill, 8)
    review(shop.drill, user=user)
    many = (_count(visitor), _count(customer))

    # the product page's 7 (with the stock), then the rating, the reviews, the questions and
    # their answers; a signed-in customer adds the session, the user, their own review and
    # their votes
    assert few == many == (11, 15)


# --- the customer's reviews (account) ----------------------------------------------------------


def test_my_reviews_list_edit_and_delete(shop: Shop) -> None:
    client, user = signed_in()
    mine = review(shop.drill, user=user, rating=5, title="Ma perceuse")
    review(shop.drill, title="Celui d'un autre")

    html = client.get(reverse("storefront:account_reviews")).content.decode()
    assert "Ma perceuse" in html
    assert "Celui d&#x27;un autre" not in html

    edit = reverse("storefront:account_review_edit", args=[mine.pk])
    form = client.get(edit).content.decode()
    assert 'value="Ma perceuse"' in form
    assert "<legend>Votre note</legend>" in form
    bad = client.post(edit, {**REVIEW, "rating": "0"})
    assert bad.status_code == 400
    response = client.post(edit, {**REVIEW, "rating": "2"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.rating, mine.status) == (2, ModerationStatus.PENDING)

    response = client.post(reverse("storefront:account_review_delete", args=[mine.pk]))
    assert response["Location"] == reverse("storefront:account_reviews")
    assert not Review.objects.filter(pk=mine.pk).exists()


def test_another_customers_review_is_not_found(shop: Shop) -> None:
    theirs = review(shop.drill, title="Le sien")
    client, _user = signed_in()
    edit = reverse("storefront:account_review_edit", args=[theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, REVIEW).status_code == 404
    delete = reverse("storefront:account_review_delete", args=[theirs.pk])
    assert client.post(delete).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Le sien", ModerationStatus.APPROVED)
    anonymous = Client().get(reverse("storefront:account_reviews"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
