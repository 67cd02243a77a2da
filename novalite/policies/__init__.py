"""Default policy rules, one module per API."""
