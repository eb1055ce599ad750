"""Corrections after the window (#28.2): a question voided or one more answer accepted,
and every attempt that had it regraded by a job; scores only rise."""
