"""The command line's help text: examples, sections and the exit-code table.

Text only, so ``wres4 --help`` imports nothing heavy; the exit codes come from
:class:`wres4.errors.ExitCode`, the one table of them.
"""

from __future__ import annotations

from wres4.errors import exit_code_help

EXIT_CODES = exit_code_help()

COMPUTE_EPILOG = (
    """\b
Examples:
  wres4 compute staff.csv --training training.csv
  wres4 compute esr/ --training olm/ --year 2024 -f json -o wres4.json
  wres4 compute staff.xlsx --sheet Staff --training training.csv --by "Pay Band"
  wres4 compute history.csv                  # aggregate counts: year, group, headcount, accessed
  wres4 compute staff.csv --training t.csv --history returns.csv -o trend.csv
  wres4 compute staff.csv --training training.csv --by "Pay Band" -o board.html

"""
    + EXIT_CODES
)


INIT_EPILOG = """\b
Examples:
  wres4 init                      # writes ./wres4.toml
  wres4 init config/wres4.toml
  wres4 --config config/wres4.toml compute staff.csv --training training.csv
"""


ETHNICITY_EPILOG = """\b
Examples:
  wres4 ethnicity "CP White Polish" "Mixed - White and Asian" "Not stated"
  wres4 ethnicity --from staff.csv --column "Ethnic Origin"
  wres4 ethnicity --from staff.csv --unmapped     # only labels that map to nothing
"""


# wres4.funnel.model.SECTIONS, kept here so --help does not import the funnel.
FUNNEL_SECTIONS = (
    "results",
    "relative_likelihoods",
    "decline_reasons",
    "representation",
    "targets",
)
FUNNEL_EPILOG = (
    """\b
Examples:
  wres4 funnel applications.csv
  wres4 funnel applications.csv --staff staff.csv --per quarter
  wres4 funnel applications.csv --staff staff.csv --target "Ready Now=5" --target "Stepping Up=5"
  wres4 funnel applications.csv --staff staff.csv -f json -o funnel.json
  wres4 funnel applications.csv --staff staff.csv -o funnel.html
  wres4 funnel applications.csv -f csv --section decline_reasons > declines.csv

\b
Sections: results, relative_likelihoods, decline_reasons, representation (needs --staff)
and targets (needs --target, or [targets] in wres4.toml). The terminal view, json, xlsx and
html hold every section; csv, tsv, markdown and jsonl hold the one --section names (default:
results).

"""
    + EXIT_CODES
)


# wres4.progression.model.SECTIONS, kept here so --help does not import progression.
PROGRESSION_SECTIONS = ("results", "senior")
PROGRESSION_EPILOG = (
    """\b
Examples:
  wres4 progression staff.csv                      # one file holding two or more snapshots
  wres4 progression staff-2023.csv staff-2024.csv --training training.csv
  wres4 progression esr/ --training olm/ --by "Staff Group" -o progression.xlsx
  wres4 progression staff.csv -f csv --section senior > senior.csv

\b
Each snapshot's headcount (bank-only excluded) is followed to the next: retained (in the
headcount again), banded (an Agenda for Change band at both), progressed (a higher band).
With --training, each cohort is also split by whether they accessed CPD that year. The
terminal view, json and xlsx hold both sections; csv, tsv, markdown, jsonl and parquet hold
the one --section names (default: results). Bands and their order: [progression] in
wres4.toml.

"""
    + EXIT_CODES
)


CHECK_EPILOG = (
    """\b
Examples:
  wres4 check staff.csv --training training.csv
  wres4 check esr/ --training olm/ -f json -o audit.json
  wres4 check staff.xlsx --sheet Staff --training training.csv --as-at 2024-03-31

\b
The audit lists rows read per file, people in post per snapshot with the Unknown share
(flagged over 10%), and every problem the extracts have: unreadable or future dates,
unmapped ethnicity labels, conflicting ethnicity (and the value used), duplicate people,
training records of people in no snapshot or outside every window, unrecognised statuses
and course types, bank staff excluded, years with no White or BME staff.

"""
    + EXIT_CODES
)
