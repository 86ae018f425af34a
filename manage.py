#!/usr/bin/env python
"""Same as the `cocon` console script, for tools that expect manage.py."""

from cocon.cli import main

if __name__ == "__main__":
    main()
