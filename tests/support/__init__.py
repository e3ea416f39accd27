"""The tests' own library: recorded calls, charges, the examples' builds, an app served
in process. The services, tenants, clients and waits the tiers share with the benchmarks
and the dev runner are in callwright_devstack (devstack/); fixtures live in the conftest
files."""
