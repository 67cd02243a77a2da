"""The built-in image service: a Glance v2 subset with a local file store."""
