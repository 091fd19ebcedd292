"""Layer 1: config, clock, logs, the worker loop, time zones and the text catalogue (no rows)."""
