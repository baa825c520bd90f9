"""The integrations pages of the client portal."""
