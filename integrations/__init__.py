"""Clients' integrations: notifications, signed webhooks and the client API (above all apps)."""
