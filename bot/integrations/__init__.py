"""Layer 3: the clinic systems we talk to: signed event deliveries to their URLs."""
