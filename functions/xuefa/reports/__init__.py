"""Reports: the nightly run as of 24:00, rows and files, bulletins, the year-end set,
archives, certificates and live progress."""
