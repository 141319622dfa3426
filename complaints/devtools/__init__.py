"""Developer tools: `seed_demo` and the `bench_*` commands, with the demo's texts and plan. Production settings do not
install this app, and its commands refuse to run where `REDRESS_DEVTOOLS` is off (see guard.py)."""
