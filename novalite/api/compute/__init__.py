"""The Compute API v2.1 (``/v2.1``): one module per resource, ``schemas/``, ``views/``."""
