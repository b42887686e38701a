"""Allow ``python -m wres4``."""

from wres4.cli import main

if __name__ == "__main__":
    main()
