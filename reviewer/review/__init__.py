"""The pipeline of each command, one module per kind of review: a week, a month, many weeks
(backfill), and the across-weeks reports (questions, TODOs, stats)."""
