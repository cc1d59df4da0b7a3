"""``python -m saisei.cli``: the same as the ``saisei`` command."""

from saisei.cli import main

if __name__ == "__main__":
    main()
