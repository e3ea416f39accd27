"""Benchmarks: `make bench` runs them against real services (see bench/README.md)."""
