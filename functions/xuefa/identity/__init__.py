"""Our own identity service, for where Cognito does not exist: passwords, tokens, the
sign-in guard, device tokens and the authorizer."""
