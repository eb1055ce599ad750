"""Study credits: the catalogue, server-measured study sessions, the exact ledger and
adjustments."""
