tmp=$(mktemp -d)
cd "$tmp"
echo x > /tmp/build-${NAME}/log
curl -o /tmp/pkg.deb https://example.com/pkg.deb && dpkg -i /tmp/pkg.deb
mkdir -p /var/tmp/cache
rm -rf /tmp/*
echo "$TMPDIR"
