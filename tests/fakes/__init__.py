"""In-memory fakes of the repositories: the same outcomes as DynamoDB's conditions, held
by a lock instead of a table, so the services' rules are tested without moto."""
