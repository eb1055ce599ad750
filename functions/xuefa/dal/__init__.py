"""The data-access layer: the only code that knows the table.

Each module is one aggregate's repository. It builds keys, condition and update
expressions and transactions, and turns `ConditionalCheckFailed` and cancellation
reasons into domain outcomes. The services above it keep the rules and take their
repositories as arguments (tests pass in-memory fakes, `tests/fakes`).
"""
