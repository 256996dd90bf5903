"""Tokens: decoding, the checks a recipient runs, the issuer's keys (JWKS) and claim meanings."""
