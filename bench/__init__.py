"""`nox -s bench`: every Interactions client side by side against the practical floor, on one loopback server."""
