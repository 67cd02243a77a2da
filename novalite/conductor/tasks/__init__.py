"""Multi-step operations the conductor orchestrates."""
