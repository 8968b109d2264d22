from io import StringIO

import pytest
from django.core.management import call_command

from comptoir.accounts.models import ApiToken
from comptoir.accounts.services import api_token_authenticate, api_token_create
from comptoir.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_changepassword_command_revokes_api_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    user = UserFactory.create(email="lea@example.fr")
    other = UserFactory.create(email="paul@example.fr")
    raw, _token = api_token_create(user=user)
    other_raw, _other_token = api_token_create(user=other)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "un-nouveau-mot-de-passe-solide")
    out = StringIO()

    call_command("changepassword", "lea@example.fr", stdout=out)

    user.refresh_from_db()
    assert user.check_password("un-nouveau-mot-de-passe-solide")
    assert api_token_authenticate(raw=raw) is None
    assert api_token_authenticate(raw=other_raw) == other
    assert ApiToken.objects.filter(user=user).count() == 0
    assert "Revoked 1 API token(s)." in out.getvalue()
