"""The local stack: moto (DynamoDB, S3, Cognito) and the four apps on one port."""
