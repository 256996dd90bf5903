"""Interop tests against an independent OpenID provider (npm oidc-provider)."""
