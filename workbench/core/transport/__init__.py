"""The transport: the one HTTP sender with its limits, cancel and request-signer seam, the
exchange log's records, masking and curl."""
