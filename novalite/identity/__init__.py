"""The built-in identity service: a Keystone v3 subset with Fernet tokens."""
