# tests/fuzz/: libFuzzer targets, built and run by tests/fuzz/run (clang),
# outside `make check`; only distributed here.
EXTRA_DIST += \
	tests/fuzz/run \
	tests/fuzz/README.md \
	$(wildcard $(srcdir)/tests/fuzz/*.[ch]) \
	$(wildcard $(srcdir)/tests/fuzz/corpus/*/*) \
	$(wildcard $(srcdir)/tests/fuzz/seeds/*/*)
