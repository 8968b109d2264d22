"""`comptoir demo_banner --host H --port P`: print where the demo store is served and how
to log in (`make demo` runs it just before the server starts)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

LINKS = [
    ("Store", "/"),
    ("Admin (back-office)", "/admin/"),
    ("API docs", "/api/v1/docs"),
    ("OpenAPI", "/api/v1/openapi.json"),
    ("Health check", "/healthz"),
]
# The accounts that `comptoir demo` creates (comptoir.catalog.demo.reference.ACCOUNTS).
ACCOUNTS = [
    ("Staff (superuser)", "admin@comptoir.test", "comptoir-admin"),
    ("B2C shopper", "lea@example.fr", "comptoir-demo"),
    ("B2B buyer", "acheteur@atelier-martin.fr", "comptoir-demo"),
    ("B2B approver", "direction@atelier-martin.fr", "comptoir-demo"),
    ("B2B buyer, Belgium", "achats@bois-co.be", "comptoir-demo"),
]


def banner(*, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    base = f"http://{shown}:{port}"
    width = max(len(label) for label, _ in LINKS)
    lines = ["", "Comptoir demo store", "=" * 19, ""]
    lines += [f"  {label:<{width}}  {base}{path}" for label, path in LINKS]
    lines += ["", "Demo accounts", ""]
    role_w = max(len(a[0]) for a in ACCOUNTS)
    email_w = max(len(a[1]) for a in ACCOUNTS)
    lines.append(f"  {'Role':<{role_w}}  {'Email':<{email_w}}  Password")
    lines.append(f"  {'-' * role_w}  {'-' * email_w}  {'-' * 14}")
    lines += [f"  {role:<{role_w}}  {email:<{email_w}}  {pw}" for role, email, pw in ACCOUNTS]
    lines += ["", "Press Ctrl+C to stop the server.", ""]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the demo store's URLs and accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
        self.stdout.write(banner(host=host, port=port))
