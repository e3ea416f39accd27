"""Credits and prices."""
