# catalog/: the journal message catalog, for `journalctl -x`. journald reads
# it once `journalctl --update-catalog` has run (packages run it on install).
dist_catalog_DATA = catalog/klpd.catalog

TESTS += tests/catalog/check-catalog.sh
EXTRA_DIST += tests/catalog/check-catalog.sh
