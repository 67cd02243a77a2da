"""Imports every module that defines tables, so the metadata (and Alembic) sees them all."""

from novalite.db import (
    compute_models,  # noqa: F401
    models,  # noqa: F401
)
from novalite.db.base import Base
from novalite.identity import models as identity_models  # noqa: F401
from novalite.image import models as image_models  # noqa: F401
from novalite.network import models as network_models  # noqa: F401
from novalite.placement import models as placement_models  # noqa: F401
from novalite.volume import models as volume_models  # noqa: F401

metadata = Base.metadata
