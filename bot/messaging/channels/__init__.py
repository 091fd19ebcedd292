"""Messaging providers: parse inbound, verify it, render or send outbound."""
