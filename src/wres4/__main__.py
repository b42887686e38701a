"""Allow ``python -m wres4``."""

from wres4.cli import run

if __name__ == "__main__":
    run()
