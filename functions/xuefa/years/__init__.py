"""A study year: its rules (windows, caps, scoring), the years managed through the API, the
year after (rollover), and a learner's year result."""
