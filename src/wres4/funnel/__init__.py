"""The CPD application log: applied, approved, declined and accessed by group and period."""
