"""Lines tests add to the run's summary (the fault tests' counts), shown pass or fail."""

COUNTS: list[str] = []
