"""Amazon Cognito user pools: the pool description, the API door (sign-in, challenges, token
management), pool insight and the recorder that puts every API call in the exchange log.

The generic OAuth core never imports this package (an import contract in pyproject.toml)."""
