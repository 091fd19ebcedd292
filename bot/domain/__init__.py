"""Layer 2: the only code that writes rows. No Flask, no HTTP: errors carry stable codes."""
