"""Practice (#27): sets drawn from the bank's practice pool, answered with the key and
the explanation at once, and the wrong-answer notebook on an FSRS schedule."""
