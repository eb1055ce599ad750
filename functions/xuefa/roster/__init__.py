"""Units, learners, student numbers, status, transfers, imports and accounts (Cognito or
our own), and the directory every other context reads for scope."""
