export PATH="/opt/bin:$HOME/.local/bin:$PATH"
export GOPATH=/opt/go
export NODE_OPTIONS=--max-old-space-size=4096
VERSION=1.2.3
readonly CONFIG_DIR=/etc/app
declare -x FOO=bar
export -p > /tmp/env-$TASK_ID
unset OLD_VAR
umask 022
shopt -s globstar nullglob
set -o pipefail
