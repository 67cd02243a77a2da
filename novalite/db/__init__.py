"""The database: models, engine and migrations. Compute nodes never import this."""
