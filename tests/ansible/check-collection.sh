#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible collection ansible/ (klpd.livepatch): it builds and installs
# with ansible-galaxy; ansible-doc reads each module's documentation, which
# names exactly the module's options; the playbooks pass --syntax-check; and
# the modules, run by ansible on this machine against tests/ansible/fake-klpctl,
# load, stay idempotent, honour check mode and diff, disable, remove, fail
# on a reverted transition and on a src of another patch, and report facts.
# The real klpd is driven in the VM tier by tests/fleet/run.
# Prints TAP. Skips (a "1..0 # SKIP" plan) without ansible-core; tests/run-all counts a skip
# as a failure.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
for t in ansible ansible-galaxy ansible-doc ansible-playbook python3; do
	if ! command -v $t >/dev/null; then
		echo "1..0 # SKIP $t not found (tests/setup installs ansible-core)"
		exit 0
	fi
done

. "$top/tests/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ANSIBLE_COLLECTIONS_PATH=$tmp/collections ANSIBLE_LOCAL_TEMP=$tmp/ansible-local \
	ANSIBLE_REMOTE_TEMP=$tmp/ansible-remote ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=0 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PYTHON_INTERPRETER=auto_silent \
	HOME=$tmp

check "ansible-galaxy collection build" ansible-galaxy collection build --output-path "$tmp" "$top/ansible"
tarball=$(ls "$tmp"/klpd-livepatch-*.tar.gz 2>/dev/null | head -n1)
check "ansible-galaxy collection install" ansible-galaxy collection install -p "$ANSIBLE_COLLECTIONS_PATH" "$tarball"
coll=$ANSIBLE_COLLECTIONS_PATH/ansible_collections/klpd/livepatch

for m in patch facts; do
	if doc=$(ansible-doc --json "klpd.livepatch.$m" 2>&1); then
		ok "ansible-doc klpd.livepatch.$m"
	else
		not_ok "ansible-doc klpd.livepatch.$m" "$doc"
		continue
	fi
	# The documented options are the argument_spec's, no more, no less.
	documented=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(list(d.values())[0]["doc"].get("options", {}))))' <<<"$doc")
	spec=$(python3 - "$coll/plugins/modules/$m.py" <<'EOF'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
for node in ast.walk(tree):
    if isinstance(node, ast.keyword) and node.arg == "argument_spec":
        v = node.value
        if isinstance(v, ast.Call):
            print(" ".join(sorted(k.arg for k in v.keywords)))
        else:
            print(" ".join(sorted(k.value for k in v.keys)))
EOF
)
	if [ "$documented" = "$spec" ]; then
		ok "klpd.livepatch.$m documents its options: ${spec:-none}"
	else
		not_ok "klpd.livepatch.$m documents its options" "documented: $documented" "argument_spec: $spec"
	fi
done
for p in rollout rollback; do
	check "ansible-playbook --syntax-check klpd.livepatch.$p" \
		ansible-playbook --syntax-check -i localhost, "klpd.livepatch.$p"
done

# --- the modules on this machine, against the fake klpctl
export KLPD_FAKE=$tmp/fake
mkdir -p "$KLPD_FAKE" "$tmp/bin"
cp "$top/tests/ansible/fake-klpctl" "$tmp/bin/klpctl"
cat >"$tmp/bin/busctl" <<EOF
#!/bin/sh
echo '{"type":"as","data":["$KLPD_FAKE/patches"]}'
EOF
chmod +x "$tmp/bin/klpctl" "$tmp/bin/busctl"
export PATH=$tmp/bin:$PATH
printf 'klpt_a module\n' >"$tmp/klpt_a.ko"
printf 'klpt_b module\n' >"$tmp/klpt_b.ko"

# module NAME ARGS [ansible options]: the module's result as JSON in $tmp/r.
module() {
	local name=$1 args=$2
	shift 2
	# the tree callback (ansible-core's own) writes each host's result
	rm -rf "$tmp/tree"
	ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_CALLBACKS_ENABLED=tree ANSIBLE_CALLBACK_TREE_DIR=$tmp/tree \
		ansible localhost -i localhost, -c local -m "klpd.livepatch.$name" -a "$args" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	cp "$tmp/tree/localhost" "$tmp/r" 2>>"$tmp/err" || echo '{}' >"$tmp/r"
	# the tree leaves out "failed": the summary line says it
	if grep -q '^localhost | FAILED!' "$tmp/out"; then
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["failed"]=True; json.dump(r, open(sys.argv[1], "w"))' "$tmp/r"
	fi
}
# field EXPR: a Python expression over the result r.
field() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$tmp/r" "$1"; }
expect() {
	local d=$1 want=$2 expr=$3 got
	got=$(field "$expr" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$d"
	else
		not_ok "$d" "expected '$want', got '$got' ($expr)" "$(head -c 2000 "$tmp/r")" \
			"$(head -c 2000 "$tmp/out")" "$(cat "$tmp/err")"
	fi
}
loads() { grep -c '^load ' "$KLPD_FAKE/calls" 2>/dev/null || true; }

module patch "name=klpt_a src=$tmp/klpt_a.ko"
expect "loaded from a src on the controller: changed" True 'r.get("changed")'
expect "... applied" applied 'r.get("state")'
expect "... was absent" absent 'r.get("previous_state")'
expect "... transition completed" completed 'r.get("transition", {}).get("how")'
expect "... installed in the patch directory" "$KLPD_FAKE/patches/6.1.0-test/klpt_a.ko" 'r.get("installed")'
expect "... the result names the src given" "$tmp/klpt_a.ko" 'r.get("src")'
module patch "name=klpt_a src=$tmp/klpt_a.ko"
expect "again: no change" False 'r.get("changed")'
expect "... and no second load" 1 "$(loads)"

module patch "name=klpt_a state=disabled" --check --diff
expect "check mode: a disable would change" True 'r.get("changed")'
expect "... but the patch is still applied" applied 'r.get("state")'
if grep -q '^-    "state": "applied"' "$tmp/out" && grep -q '^+    "state": "disabled"' "$tmp/out"; then
	ok "... --diff: state applied -> disabled"
else
	not_ok "... --diff: state applied -> disabled" "$(cat "$tmp/out")"
fi
expect "... no disable ran" 0 "$(grep -c '^disable' "$KLPD_FAKE/calls")"

module patch "name=klpt_a state=disabled"
expect "disabled: changed" True 'r.get("changed")'
expect "... disabled" disabled 'r.get("state")'
expect "... through a transition to unpatched" unpatched 'r.get("transition", {}).get("target")'
module patch "name=klpt_a state=disabled"
expect "disabled again: no change" False 'r.get("changed")'

module facts ""
expect "facts: klpd's version" 0.1.0 'r["ansible_facts"]["klpd"]["version"]'
expect "facts: nothing applied" "[]" 'r["ansible_facts"]["klpd"]["applied"]'
expect "facts: the disabled patch" disabled 'r["ansible_facts"]["klpd"]["patches"]["klpt_a"]["state"]'

module patch "name=klpt_a state=absent"
expect "absent: changed" True 'r.get("changed")'
expect "... no module" absent 'r.get("state")'
expect "... nothing installed" "" 'r.get("installed")'
check "... the file is gone" test ! -e "$KLPD_FAKE/patches/6.1.0-test/klpt_a.ko"

touch "$KLPD_FAKE/stall"
module patch "name=klpt_a src=$tmp/klpt_a.ko"
expect "a load the policy reverts fails" True 'r.get("failed")'
expect "... saying so" True '"reverted by klpd" in r.get("msg", "")'
expect "... with how it ended" reverted 'r.get("transition", {}).get("how")'

module patch "name=klpt_a src=$tmp/klpt_b.ko"
expect "a src of another patch fails" True 'r.get("failed")'
expect "... naming both" True '"the livepatch \x27klpt_b\x27, not \x27klpt_a\x27" in r.get("msg", "")'
module patch "name=klpt_c state=loaded"
expect "loaded without src or an installed file fails" True '"not installed" in r.get("msg", "")'

tap_end
