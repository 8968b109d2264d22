#!/usr/bin/env python
"""Same as the `comptoir` console command."""

from comptoir.cli import main

if __name__ == "__main__":
    main()
