"""`comptoir changepassword EMAIL`: Django's command, plus revoking the user's API tokens,
as every other password change does (admin form, reset link)."""

from typing import Any

from django.contrib.auth.management.commands import changepassword

from comptoir.accounts.models import User
from comptoir.accounts.services import api_token_revoke_all


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str:
        result = super().handle(*args, **options)
        email = options.get("username") or ""
        user = User.objects.using(options.get("database")).filter(email__iexact=email).first()
        if user is not None:
            revoked = api_token_revoke_all(user=user)
            if revoked:
                self.stdout.write(f"Revoked {revoked} API token(s).")
        return str(result)
