# ansible/: the klpd.livepatch Ansible collection (its README.md), built and
# installed by operators with ansible-galaxy; shipped in the tarball.
EXTRA_DIST += \
	ansible/README.md \
	ansible/galaxy.yml \
	ansible/meta/runtime.yml \
	ansible/plugins/action/patch.py \
	ansible/plugins/module_utils/klpctl.py \
	ansible/plugins/modules/facts.py \
	ansible/plugins/modules/patch.py \
	ansible/playbooks/rollout.yml \
	ansible/playbooks/rollback.yml \
	ansible/examples/inventory.yml

# It builds, documents itself, and its modules work against a fake klpctl.
TESTS += tests/ansible/check-collection.sh
EXTRA_DIST += tests/ansible/check-collection.sh tests/ansible/fake-klpctl tests/tap.sh
