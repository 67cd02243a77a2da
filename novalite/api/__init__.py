"""The REST APIs (Compute v2.1, metadata)."""
