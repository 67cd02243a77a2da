"""novalite: OpenStack Compute (Nova) as a small, fast cloud that boots real virtual machines."""
