"""The portal page where a company member writes to their account manager
(docs/b2b-portal.md, "Account manager"): subject and message, checked by the form and by
`companies.services.contact.account_manager_contact` (which rate-limits and emails it
after the commit, Reply-To the member). A company without an account manager gets a
page that says so, with no form; a consumer a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from comptoir.companies import selectors as company_selectors
from comptoir.companies.services.contact import (
    MESSAGE_MAX,
    SUBJECT_MAX,
    account_manager_contact,
)
from comptoir.core.errors import DomainError, NotFound
from comptoir.storefront.forms import add_domain_errors
from comptoir.storefront.views_account import render_private


class ContactForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=SUBJECT_MAX)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def company_contact(request: HttpRequest) -> HttpResponse:
    try:
        member = company_selectors.member_require_membership(request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    manager = company_selectors.account_manager_of(company=member.company)
    form = ContactForm(request.POST if request.method == "POST" and manager else None)
    status, retry_after = 200, None
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                account_manager_contact(member=member, **form.cleaned_data)
            except DomainError as exc:
                status = exc.status
                retry_after = getattr(exc, "retry_after", None)
                add_domain_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your message was sent to %(name)s.")
                    % {"name": manager.get_full_name() if manager else ""},
                )
                return redirect("storefront:company_contact")
    elif request.method == "POST":
        status = 404  # no account manager: nothing to send
    context = {
        "company": member.company,
        "manager": manager,
        "form": form,
        "current_page": "contact",
    }
    response = render_private(request, "storefront/account/contact.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
