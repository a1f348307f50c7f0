"""`python -m ie`: the command line."""

from ie.cli import main

main()
