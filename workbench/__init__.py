"""Token Workbench: a workbench for OAuth 2.0 and OpenID Connect tokens."""

__version__ = "0.1.0"
