"""wres4: WRES Indicator 4 from HR and training extracts."""

__version__ = "0.1.0"
