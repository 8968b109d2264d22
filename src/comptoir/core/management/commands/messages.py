"""Extract, complete-check and compile the fr/en message catalogs.

Compilation uses Babel, so a machine without GNU gettext can still build the .mo files;
extraction uses Django's makemessages (GNU xgettext), which CI has.
"""

import io
import shutil
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _ in settings.LANGUAGES]
DOMAINS = ["django", "djangojs"]


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def _compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def catalog_problems(language: str, po_path: Path) -> list[str]:
    catalog = _read(po_path, language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"{po_path}: fuzzy entry {message.id!r}")
        elif not all(strings):
            problems.append(f"{po_path}: untranslated {message.id!r}")
    return problems


class Command(BaseCommand):
    help = "Update the fr/en catalogs from the source and compile them (or --check)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if not check and shutil.which("xgettext"):
            call_command(
                "makemessages",
                locale=LANGUAGES,
                no_obsolete=True,
                no_location=True,
                ignore_patterns=[".venv/*", ".tools/*", "var/*", "bench/*"],
                verbosity=0,
            )
        if not check:
            self._fill_source_language()
        problems: list[str] = []
        for language in LANGUAGES:
            po_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
            if not po_path.exists():
                problems.append(f"{po_path} is missing")
                continue
            problems += catalog_problems(language, po_path)
            mo_path = po_path.with_suffix(".mo")
            compiled = _compiled(_read(po_path, language))
            if check:
                if not mo_path.exists() or mo_path.read_bytes() != compiled:
                    problems.append(f"{mo_path} is stale: run `make messages`")
            else:
                mo_path.write_bytes(compiled)
        if check and shutil.which("xgettext"):
            problems += self._stale_extraction()
        if problems:
            raise CommandError("Message catalogs are not complete:\n" + "\n".join(problems[:50]))
        self.stdout.write("Message catalogs are complete and compiled.")

    def _fill_source_language(self) -> None:
        """Identifiers are English, so the English catalog maps each message to itself."""
        from babel.messages.pofile import write_po

        po_path = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
        if not po_path.exists():
            return
        catalog = _read(po_path, "en")
        for message in catalog:
            if not message.id:
                continue
            # Always the identity: a fuzzy match from msgmerge must never survive here.
            if isinstance(message.id, tuple):
                message.string = (message.id[0], message.id[1])
            else:
                message.string = message.id
            message.flags.discard("fuzzy")
            message.previous_id = []
            message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
        with po_path.open("wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, no_location=True)

    def _stale_extraction(self) -> list[str]:
        """Every translatable string in the source must be in the committed catalogs."""
        import tempfile

        from django.core.management.commands import makemessages

        problems = []
        with tempfile.TemporaryDirectory() as tmp:
            tmp_locale = Path(tmp)
            original = settings.LOCALE_PATHS
            settings.LOCALE_PATHS = [tmp_locale]
            try:
                cmd = makemessages.Command()
                cmd.stdout = io.StringIO()  # type: ignore[assignment]
                call_command(
                    cmd,
                    locale=["fr"],
                    no_obsolete=True,
                    no_location=True,
                    ignore_patterns=[".venv/*", ".tools/*", "var/*", "bench/*"],
                    verbosity=0,
                )
            finally:
                settings.LOCALE_PATHS = original
            extracted = tmp_locale / "fr" / "LC_MESSAGES" / "django.po"
            if not extracted.exists():
                return []
            wanted = {m.id for m in _read(extracted, "fr") if m.id}
            for language in LANGUAGES:
                have = {
                    m.id
                    for m in _read(LOCALE_DIR / language / "LC_MESSAGES" / "django.po", language)
                }
                missing = wanted - have
                problems += [
                    f"{language}: not in catalog: {mid!r}" for mid in sorted(map(str, missing))[:20]
                ]
        return problems
