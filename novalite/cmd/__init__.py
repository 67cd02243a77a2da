"""Console scripts: argument parsing and start-up only."""
