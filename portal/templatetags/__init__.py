"""Template filters of the client pages."""
