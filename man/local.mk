# man/: the manual pages, written by hand in man(7) roff. They describe the
# code; tests/man/check-man.sh renders each one with man --warnings, lints it
# with mandoc -T lint, checks the Sandbox section against the unit, and checks
# that every D-Bus member, error, config key, klpctl command, option and JSON
# key of the sources is in its page.
dist_man_MANS += \
	man/klpd.8 \
	man/klpctl.1 \
	man/klpd.conf.5 \
	man/org.klpd.livepatch1.5

TESTS += tests/man/check-man.sh
EXTRA_DIST += tests/man/check-man.sh
