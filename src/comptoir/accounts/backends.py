from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from comptoir.accounts.models import User


class EmailBackend(ModelBackend):
    """Authenticate by email, case-insensitively, in constant-ish time for unknown emails."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = kwargs.get("email") or username
        if not email or password is None:
            return None
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            User().set_password(password)  # spend the same time as for a real account
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
