"""The rule engine: compiled conditions, transition deadlines, verdicts."""
