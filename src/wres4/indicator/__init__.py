"""Indicator 4 itself: forms, values, ethnicity, staff, training, counts, table and
statistics, giving one :class:`~wres4.indicator.result.Result`."""
