"""`python -m ie`: the command line."""

import sys

try:
    from ie.cli import main
except ModuleNotFoundError as err:  # run from a checkout by a Python without the dependencies
    sys.exit(
        f"error: ie's dependency {err.name!r} is not installed in {sys.executable}; "
        'install the project first: pip install -e ".[test]" (see README.md)'
    )

main()
