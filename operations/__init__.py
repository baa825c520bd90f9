"""Production operations: sweep heartbeats, health probes, metrics, request ids, operator home."""
