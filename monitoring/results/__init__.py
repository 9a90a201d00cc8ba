"""Check results folded back into the inventory: event formats, check-name decoding, per-type handlers."""
