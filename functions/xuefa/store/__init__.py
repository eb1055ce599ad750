"""The one DynamoDB table (schema, keys, cursors, transactions, paging), the bucket and the
queue. With each context's repositories, the only code that speaks to storage."""
