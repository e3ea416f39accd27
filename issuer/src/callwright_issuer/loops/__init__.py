"""The issuer's background loops: reconciler, re-dispatcher, call metrics."""
