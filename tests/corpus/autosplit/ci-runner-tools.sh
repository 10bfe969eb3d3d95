#!/bin/sh
# Tools a CI-like agent task needs; the task's log folder is per task.
set -eu

APT_PACKAGES="make shellcheck jq git file xz-utils"

apt-get update
apt-get install -y --no-install-recommends $APT_PACKAGES
apt-get clean

install -d -m 0755 /opt/ci/bin
cat > /opt/ci/bin/ci-lint <<'EOF'
#!/bin/sh
# lints every shell script below the current folder
find . -name '*.sh' -print0 | xargs -0 -r shellcheck -S warning
EOF
chmod 0755 /opt/ci/bin/ci-lint
ln -sf /opt/ci/bin/ci-lint /usr/local/bin/ci-lint

git config --system advice.detachedHead false

LOG_DIR=/tmp/ci-logs
mkdir -p "$LOG_DIR"
: > "$LOG_DIR/run.log"
echo "ci tools: $(shellcheck --version | sed -n 2p)" | tee -a "$LOG_DIR/run.log"
