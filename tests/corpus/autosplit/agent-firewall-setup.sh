#!/bin/bash
# Egress firewall for an agent sandbox: the tools and the rule script are
# baked, the rules themselves are applied at every start (they need the
# running container's network namespace).
set -euo pipefail
IFS=$'\n\t'

msg() { printf '%s\n' "$*"; }
fail() { msg "firewall: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends iptables ipset dnsutils iproute2 aggregate
rm -rf /var/lib/apt/lists/*

install -d -m 0755 /usr/local/lib/agent-firewall
cat > /usr/local/lib/agent-firewall/allow-domains.txt <<'EOF'
registry.npmjs.org
api.anthropic.com
api.openai.com
github.com
deb.debian.org
EOF
cat > /usr/local/sbin/agent-firewall <<'EOF'
#!/bin/bash
set -euo pipefail
ipset create allowed-domains hash:net -exist
while read -r domain; do
    for ip in $(dig +short A "$domain"); do
        ipset add allowed-domains "$ip" -exist
    done
done < /usr/local/lib/agent-firewall/allow-domains.txt
iptables -A OUTPUT -o lo -j ACCEPT
iptables -A OUTPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
iptables -A OUTPUT -m set --match-set allowed-domains dst -j ACCEPT
iptables -P OUTPUT DROP
EOF
chmod 0755 /usr/local/sbin/agent-firewall

if [ -n "${EXTRA_ALLOWED_DOMAIN:-}" ]; then
    echo "$EXTRA_ALLOWED_DOMAIN" >> /usr/local/lib/agent-firewall/allow-domains.txt
fi
/usr/local/sbin/agent-firewall
msg "firewall applied for task ${TASK_ID:-?}"
