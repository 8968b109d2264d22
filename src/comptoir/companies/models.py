"""Companies that buy from the shop, their members and customer groups.

Legal identity, country and VAT number (tax treatment), customer group (price lists,
promotions), members with their roles (what each may do, see permissions.py), addresses,
invitations and join requests. See docs/companies.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class CustomerGroup(models.Model):
    """A segment of customers priced and promoted alike (wholesale, installers, schools...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxStatus(models.TextChoices):
    STANDARD = "standard", _("Standard (VAT applies)")
    EXEMPT = "exempt", _("Tax-exempt")


class ViesStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked")
    VALID = "valid", _("Valid in VIES")
    INVALID = "invalid", _("Unknown to VIES")
    UNAVAILABLE = "unavailable", _("VIES unavailable")


class Company(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = CountryField(_("country"))
    # Normalised with its country prefix ("FR40303265045"), or empty.
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    customer_group = models.ForeignKey(
        CustomerGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
        verbose_name=_("customer group"),
    )
    tax_status = models.CharField(
        _("tax status"), max_length=10, choices=TaxStatus.choices, default=TaxStatus.STANDARD
    )
    vies_status = models.CharField(
        _("VIES check"), max_length=12, choices=ViesStatus.choices, default=ViesStatus.UNCHECKED
    )
    vies_checked_at = models.DateTimeField(_("VIES checked at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Lower-case domains ("atelier-martin.fr"): users with such an email may ask to join.
    email_domains = models.JSONField(_("email domains"), default=list, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_companies",
        verbose_name=_("account manager"),
        limit_choices_to={"is_staff": True},
    )
    # Checkout refuses an order of its members without a purchase order number.
    po_number_required = models.BooleanField(_("purchase order number required"), default=False)
    # Opt-in (as Adobe Commerce's "Allow remote shopping assistance"): while False, no
    # staff member may shop on behalf of its members (docs/companies.md).
    allow_assisted_shopping = models.BooleanField(_("allow assisted shopping"), default=False)
    external_ref = models.CharField(max_length=100, unique=True, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name", "id"]
        indexes = [models.Index(fields=["vat_number"], name="companies_vat_idx")]

    def __str__(self) -> str:
        return self.legal_name


class CompanyRole(models.Model):
    """A named set of CompanyPermission codes in one company. The five built-in roles
    (`code` admin, buyer, approver, finance, viewer) are made with the company and never
    change; custom roles (empty `code`) are made by the company's admins."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(_("code"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company role")
        verbose_name_plural = _("company roles")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"],
                condition=~models.Q(code=""),
                name="companies_role_one_builtin_per_code",
            ),
            models.UniqueConstraint(
                fields=["company", "name"],
                name="companies_role_unique_name",
                violation_error_message=_("This company already has a role with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return bool(self.code)


class CompanyMember(models.Model):
    """A user who acts for a company, with one role. A user acts for one company at most."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_membership"
    )
    role = models.ForeignKey(
        CompanyRole, on_delete=models.RESTRICT, related_name="members", verbose_name=_("role")
    )
    is_active = models.BooleanField(_("active"), default=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.company_id}"


class AddressKind(models.TextChoices):
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")


class CompanyAddress(models.Model):
    """A billing address or a shipping site of a company (the accounts' address rules)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, choices=AddressKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    company_name = models.CharField(_("company"), max_length=200)
    street_address_1 = models.CharField(_("address"), max_length=255)
    street_address_2 = models.CharField(_("address (continued)"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company address")
        verbose_name_plural = _("company addresses")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind"],
                condition=models.Q(is_default=True),
                name="companies_address_one_default_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.company_name}, {self.postal_code} {self.city}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class CompanyInvitation(models.Model):
    """An email invited to join a company with a role; accepted through its token."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.ForeignKey(CompanyRole, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.email} -> {self.company_id}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CompanyJoinRequest(models.Model):
    """A user whose email domain is one of a company's asking to act for it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_join_requests"
    )
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user"],
                condition=models.Q(status="pending"),
                name="companies_join_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.company_id}"


class AssistedSession(models.Model):
    """A staff member shopping on behalf of a company member (the storefront signed in as
    the member): who, for whom, for which company, from where, from when to when. Written
    by `companies.services.assisted_session_start` / `assisted_session_end`; read-only in
    the admin. A session still open has no `ended_at` (stopped by signing out, or by the
    browser session expiring, rather than by the banner's Stop)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="assisted_sessions",
        verbose_name=_("company"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_ip_address = models.GenericIPAddressField(_("IP address at the end"), null=True, blank=True)

    class Meta:
        verbose_name = _("assisted shopping session")
        verbose_name_plural = _("assisted shopping sessions")
        ordering = ["-id"]
        permissions = [
            ("shop_on_behalf", _("Can shop on behalf of the members of any company")),
        ]

    def __str__(self) -> str:
        return f"{self.staff} -> {self.user} ({self.company})"
