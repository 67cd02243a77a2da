"""The conductor: orchestrates builds and is the compute nodes' only way to the database."""
