"""A clinic: its validated settings, its setup (with slot regeneration), its statistics."""
