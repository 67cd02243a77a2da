"""Response bodies of the Compute API resources, shaped per microversion."""
