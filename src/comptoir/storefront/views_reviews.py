"""Posting from the product page: a review, a helpful vote, a question, an answer. Plain
forms (POST, then a redirect back to the product page with a message), so everything works
without JavaScript; a refused post shows the product page again with the error on the form
(400, or 429 past the rate limit, or 409 for a second review). Posts are counted per
customer and per client address (`reviews.services` rate limits). The account pages list
the customer's reviews, to rewrite (back to moderation) or delete; another customer's
review is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from comptoir.accounts.auth import client_ip
from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError, NotFound
from comptoir.core.pagination import PageRequest
from comptoir.reviews import selectors as review_selectors
from comptoir.reviews import services as review_services
from comptoir.reviews.models import Answer, Question, Review
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.reviews_display import (
    AnswerForm,
    PostedForms,
    QuestionForm,
    ReviewForm,
)
from comptoir.storefront.shop import current_language
from comptoir.storefront.views import product_page

ACCOUNT_PAGE_SIZE = 20


def _product_url(slug: str, anchor: str) -> str:
    return f"{reverse('storefront:product', args=[slug])}#{anchor}"


def _product_or_404(slug: str) -> Product:
    try:
        return review_selectors.product_for_reviews(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _submit(
    request: HttpRequest,
    *,
    slug: str,
    posted: PostedForms,
    form: forms.Form,
    create: Callable[[dict[str, Any]], Any],
    thanks: Callable[[Any], str],
    anchor: str,
) -> HttpResponse:
    """Post `form` through `create` (a service call with the cleaned data): a redirect to
    the product page's `anchor` with the message `thanks(created)`, or the product page
    again with the form's errors (400, the service's status, 429 past the rate limit)."""
    if not form.is_valid():
        return product_page(request, slug, reviews=posted, status=400)
    try:
        created = create(form.cleaned_data)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        add_domain_errors(form, exc)
        return product_page(request, slug, reviews=posted, status=exc.status)
    messages.success(request, thanks(created))
    return redirect(_product_url(slug, anchor))


@require_POST
@login_required
def review_post(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product_or_404(slug)
    form = ReviewForm(request.POST)
    return _submit(
        request,
        slug=slug,
        posted=PostedForms(review=form),
        form=form,
        create=lambda data: review_services.review_create(
            user=request.user,
            product=product,
            rating=data["rating"],
            title=data["title"],
            text=data["text"],
            language=current_language(),
            client_ip=client_ip(request),
        ),
        thanks=lambda _review: _("Thank you! Your review will appear once moderated."),
        anchor="reviews",
    )


@require_POST
@login_required
def review_vote(request: HttpRequest, review_id: int) -> HttpResponse:
    review = Review.objects.filter(pk=review_id).select_related("product").first()
    if review is None:
        raise Http404(_("No such review."))
    try:
        review_services.review_vote(user=request.user, review_id=review_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect(_product_url(review.product.slug, f"review-{review_id}"))


@require_POST
@login_required
def question_post(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product_or_404(slug)
    form = QuestionForm(request.POST)
    return _submit(
        request,
        slug=slug,
        posted=PostedForms(question=form),
        form=form,
        create=lambda data: review_services.question_create(
            user=request.user,
            product=product,
            text=data["text"],
            language=current_language(),
            client_ip=client_ip(request),
        ),
        thanks=lambda _question: _("Thank you! Your question will appear once moderated."),
        anchor="questions",
    )


def _answer_thanks(answer: Answer) -> str:
    if answer.by_staff:
        return _("Your answer is published.")
    return _("Thank you! Your answer will appear once moderated.")


@require_POST
@login_required
def answer_post(request: HttpRequest, question_id: int) -> HttpResponse:
    question = Question.objects.filter(pk=question_id).select_related("product").first()
    if question is None:
        raise Http404(_("No such question."))
    form = AnswerForm(request.POST)
    return _submit(
        request,
        slug=question.product.slug,
        posted=PostedForms(answer=form, answer_question_id=question_id),
        form=form,
        create=lambda data: review_services.answer_create(
            user=request.user,
            question_id=question_id,
            text=data["text"],
            language=current_language(),
            client_ip=client_ip(request),
        ),
        thanks=_answer_thanks,
        anchor=f"question-{question_id}",
    )


# --- the customer's own reviews (account) -----------------------------------------------------


def _own_review_or_404(request: HttpRequest, review_id: int) -> Review:
    try:
        review = review_services.review_of_author(user=request.user, review_id=review_id)
    except NotFound as exc:  # someone else's review, or none
        raise Http404(exc.detail) from exc
    return review


@require_safe
@login_required
@never_cache
def account_reviews(request: HttpRequest) -> HttpResponse:
    """The customer's reviews, whatever their status, newest first."""
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1
    page = PageRequest(page=max(number, 1), page_size=ACCOUNT_PAGE_SIZE)
    rows, count = review_selectors.customer_reviews(user=request.user, page=page)
    pages = max(1, -(-count // ACCOUNT_PAGE_SIZE))
    context = {"reviews": rows, "page": page.page, "pages": pages, "current_page": "reviews"}
    return render(request, "storefront/account/reviews.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def account_review_edit(request: HttpRequest, review_id: int) -> HttpResponse:
    """Rewrite one's review: it goes back to moderation. Another's review is a 404."""
    review = _own_review_or_404(request, review_id)
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                review_services.review_update(
                    user=request.user,
                    review_id=review.pk,
                    rating=form.cleaned_data["rating"],
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                )
            except DomainError as exc:
                add_domain_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Your review will appear again once moderated."))
                return redirect("storefront:account_reviews")
    else:
        form = ReviewForm(
            initial={"rating": review.rating, "title": review.title, "text": review.text}
        )
    product = Review.objects.select_related("product").get(pk=review.pk).product
    context = {"review": review, "product": product, "form": form, "current_page": "reviews"}
    return render(request, "storefront/account/review_edit.html", context, status=status)


@require_POST
@login_required
def account_review_delete(request: HttpRequest, review_id: int) -> HttpResponse:
    review_services.review_delete(review=_own_review_or_404(request, review_id))
    messages.success(request, _("Your review is deleted."))
    return redirect("storefront:account_reviews")
