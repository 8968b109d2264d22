"""Invitations and join requests through the buyer API: the emails sent (FR/EN, content),
accepting with the invited account only, expiry, one company per user, domain matching,
approval with a role, and another company's requests (404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from comptoir.accounts.tests.factories import UserFactory
from comptoir.companies import services
from comptoir.companies.models import (
    CompanyInvitation,
    CompanyJoinRequest,
    CompanyMember,
)
from comptoir.companies.tests.factories import CompanyFactory, member_with_role
from comptoir.core.testing import BUYER, Api, api_for, problem
from comptoir.core.testing_smtp import SmtpServer

pytestmark = pytest.mark.django_db


def buyer_api(user: Any) -> Api:
    return api_for(user, base=BUYER)


@pytest.fixture
def admin() -> CompanyMember:
    company = CompanyFactory.create(
        legal_name="Atelier Martin", email_domains=["atelier-martin.fr"]
    )
    return member_with_role(
        company, "admin", user=UserFactory.create(email="marie@atelier-martin.fr", language="fr")
    )


def test_invitation_is_emailed_and_accepted_by_the_invited_account(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    api = buyer_api(admin.user)
    approver = admin.company.roles.get(code="approver")

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "company/invitations", {"email": " Paul@Example.FR ", "role_id": approver.pk}
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"]["code"], body["status"], body["expired"]) == (
        "paul@example.fr",
        "approver",
        "pending",
        False,
    )
    invitation = CompanyInvitation.objects.get()
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=14)) < timedelta(
        seconds=1
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["paul@example.fr"]
    assert sent.subject == "Vous êtes invité à acheter pour Atelier Martin"
    assert f"/account/company/invitations/{invitation.token}/" in sent.body
    assert "Approbateur" in sent.body
    assert "token" not in body  # the secret goes to the mailbox only

    # Someone else cannot use the token; the invited account can, once.
    problem(
        buyer_api(UserFactory.create()).post(f"company/invitations/{invitation.token}/accept", {}),
        403,
        "INVITATION_EMAIL_MISMATCH",
    )
    paul = UserFactory.create(email="paul@example.fr")
    accepted = buyer_api(paul).post(f"company/invitations/{invitation.token}/accept", {})
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["role"]["code"] == "approver"
    assert CompanyMember.objects.get(user=paul).company == admin.company
    problem(
        buyer_api(paul).post(f"company/invitations/{invitation.token}/accept", {}),
        404,
        "INVITATION_NOT_FOUND",
    )


def test_invitation_in_english_for_an_english_admin(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    admin.user.language = "en"
    admin.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        buyer_api(admin.user).post(
            "company/invitations",
            {"email": "paul@example.fr", "role_id": admin.company.roles.get(code="buyer").pk},
        )
    assert mail.outbox[0].subject == "You are invited to buy for Atelier Martin"
    assert "as Buyer." in mail.outbox[0].body


def test_invitation_bad_input_and_refusals(admin: CompanyMember) -> None:
    api = buyer_api(admin.user)
    buyer = admin.company.roles.get(code="buyer")
    elsewhere = member_with_role(CompanyFactory.create(), "buyer")

    problem(
        api.post("company/invitations", {"email": "nope", "role_id": buyer.pk}),
        400,
        "INVALID_EMAIL",
    )
    problem(
        api.post("company/invitations", {"email": "a\x00@b.fr", "role_id": buyer.pk}),
        400,
        "INVALID_EMAIL",
    )
    problem(
        api.post("company/invitations", {"email": "x@y.fr", "role_id": elsewhere.role_id}),
        400,
        "ROLE_NOT_FOUND",
    )
    problem(
        api.post("company/invitations", {"email": elsewhere.user.email, "role_id": buyer.pk}),
        409,
        "ALREADY_MEMBER",
    )
    assert (
        api.post("company/invitations", {"email": "x@y.fr", "role_id": buyer.pk}).status_code == 201
    )
    problem(
        api.post("company/invitations", {"email": "X@y.fr", "role_id": buyer.pk}),
        409,
        "ALREADY_INVITED",
    )
    assert CompanyInvitation.objects.count() == 1


def test_expired_revoked_and_other_companies_invitations(admin: CompanyMember) -> None:
    api = buyer_api(admin.user)
    buyer = admin.company.roles.get(code="buyer")
    api.post("company/invitations", {"email": "late@example.fr", "role_id": buyer.pk})
    invitation = CompanyInvitation.objects.get()
    late = UserFactory.create(email="late@example.fr")

    CompanyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    problem(
        buyer_api(late).post(f"company/invitations/{invitation.token}/accept", {}),
        409,
        "INVITATION_EXPIRED",
    )
    assert api.get("company/invitations").json()[0]["expired"] is True
    assert not CompanyMember.objects.filter(user=late).exists()

    other_admin = member_with_role(CompanyFactory.create(), "admin")
    problem(
        buyer_api(other_admin.user).delete(f"company/invitations/{invitation.pk}"),
        404,
        "INVITATION_NOT_FOUND",
    )
    assert api.delete(f"company/invitations/{invitation.pk}").status_code == 204
    problem(api.delete(f"company/invitations/{invitation.pk}"), 409, "INVITATION_NOT_PENDING")
    problem(
        buyer_api(late).post("company/invitations/unknown/accept", {}), 404, "INVITATION_NOT_FOUND"
    )


def test_a_member_of_another_company_cannot_accept(admin: CompanyMember) -> None:
    api = buyer_api(admin.user)
    api.post(
        "company/invitations",
        {"email": "paul@example.fr", "role_id": admin.company.roles.get(code="buyer").pk},
    )
    token = CompanyInvitation.objects.get().token
    paul = member_with_role(
        CompanyFactory.create(), "admin", user=UserFactory.create(email="paul@example.fr")
    )

    problem(
        buyer_api(paul.user).post(f"company/invitations/{token}/accept", {}), 409, "ALREADY_MEMBER"
    )
    assert CompanyMember.objects.get(user=paul.user).company == paul.company
    assert CompanyInvitation.objects.get().status == "pending"


def test_join_request_flow(admin: CompanyMember, django_capture_on_commit_callbacks: Any) -> None:
    second_admin = member_with_role(
        admin.company, "admin", user=UserFactory.create(email="jo@atelier-martin.fr", language="en")
    )
    member_with_role(admin.company, "buyer")  # not told
    lea = UserFactory.create(email="lea@Atelier-Martin.fr", language="fr")
    lea_api = buyer_api(lea)
    assert lea_api.get("company/joinable").json() == [
        {"id": admin.company.pk, "legal_name": "Atelier Martin"}
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = lea_api.post("company/join-requests", {"message": "Service achats"})

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("jo@atelier-martin.fr", "lea@Atelier-Martin.fr asks to join Atelier Martin"),
        ("marie@atelier-martin.fr", "lea@Atelier-Martin.fr demande à rejoindre Atelier Martin"),
    ]
    assert "Service achats" in mail.outbox[0].body
    problem(lea_api.post("company/join-requests", {}), 409, "JOIN_REQUEST_PENDING")

    api = buyer_api(admin.user)
    listed = api.get("company/join-requests").json()
    assert [r["user"]["email"] for r in listed] == ["lea@Atelier-Martin.fr"]
    request_id = listed[0]["id"]
    problem(
        buyer_api(member_with_role(CompanyFactory.create(), "admin").user).post(
            f"company/join-requests/{request_id}/approve", {}
        ),
        404,
        "JOIN_REQUEST_NOT_FOUND",
    )
    mail.outbox.clear()
    viewer = admin.company.roles.get(code="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        approved = buyer_api(second_admin.user).post(
            f"company/join-requests/{request_id}/approve", {"role_id": viewer.pk}
        )
    assert approved.status_code == 201, approved.content
    assert CompanyMember.objects.get(user=lea).role == viewer
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["lea@Atelier-Martin.fr"], "Vous achetez désormais pour Atelier Martin")
    ]
    problem(api.post(f"company/join-requests/{request_id}/reject", {}), 409, "JOIN_REQUEST_DECIDED")


def test_join_request_rejected_and_refusals(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    stranger = UserFactory.create(email="x@gmail.com")
    problem(buyer_api(stranger).post("company/join-requests", {}), 403, "EMAIL_DOMAIN_MISMATCH")
    problem(
        buyer_api(stranger).post("company/join-requests", {"company_id": admin.company.pk}),
        403,
        "EMAIL_DOMAIN_MISMATCH",
    )
    problem(
        buyer_api(stranger).post("company/join-requests", {"company_id": 10**9}),
        404,
        "COMPANY_NOT_FOUND",
    )
    problem(buyer_api(admin.user).post("company/join-requests", {}), 409, "ALREADY_MEMBER")
    lea = UserFactory.create(email="lea@atelier-martin.fr")
    problem(
        buyer_api(lea).post("company/join-requests", {"message": "x" * 501}), 400, "INVALID_INPUT"
    )
    assert not CompanyJoinRequest.objects.exists()

    buyer_api(lea).post("company/join-requests", {})
    join = CompanyJoinRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        rejected = buyer_api(admin.user).post(f"company/join-requests/{join.pk}/reject", {})
    assert rejected.json()["status"] == "rejected"
    assert mail.outbox[-1].subject == "Votre demande pour rejoindre Atelier Martin a été refusée"
    assert not CompanyMember.objects.filter(user=lea).exists()
    assert "a été refusée." in str(mail.outbox[-1].body)


def test_the_invitation_goes_out_over_smtp(
    admin: CompanyMember, django_capture_on_commit_callbacks: Any
) -> None:
    server = SmtpServer()
    server.start()
    try:
        with (
            override_settings(MAILERS=server.mailers(), SITE_URL="https://shop.example.test"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.invitation_create(
                company=admin.company,
                email="paul@example.fr",
                role=admin.company.roles.get(code="buyer"),
                invited_by=admin.user,
            )
    finally:
        server.stop()

    token = CompanyInvitation.objects.get().token
    [(recipients, message)] = server.inbox.messages
    assert recipients == ["paul@example.fr"]
    assert message["Subject"] == "Vous êtes invité à acheter pour Atelier Martin"
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"https://shop.example.test/account/company/invitations/{token}/" in text
    assert "avec le rôle « Acheteur »." in text
