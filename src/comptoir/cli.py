"""The `comptoir` console command: the project's manage.py."""

import os
import sys


def main() -> None:
    # The developers' and `make demo`'s command: dev settings by default (they refuse to run
    # with their public key unless DEBUG is on). Servers (config.wsgi, config.asgi) default
    # to production settings instead.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
