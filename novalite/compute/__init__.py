"""The compute agent and the compute API used by the REST layer."""
