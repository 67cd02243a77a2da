"""The metadata API (nova-api-metadata): what an instance learns about itself.

``base`` is pure and shared with the config drive builder; ``handler`` identifies the
requesting instance and reads it from the database.
"""
