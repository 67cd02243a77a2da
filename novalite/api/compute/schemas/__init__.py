"""Request body schemas of the Compute API, one module per resource; the validator they
use is ``novalite.common.schema`` (shared with the volume API)."""

from novalite.common.schema import MAX_INT, SQL_SP_FLOAT_MAX, validate

__all__ = ["MAX_INT", "SQL_SP_FLOAT_MAX", "validate"]
