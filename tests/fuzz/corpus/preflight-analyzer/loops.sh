for p in git curl jq; do
  apt-get install -y "$p"
done
for f in a b c; do cp "$f" /usr/local/share/; done
i=0
while [ "$i" -lt 5 ]; do
  i=$((i + 1))
done
until curl -sf http://localhost:8080/health; do sleep 1; done
select opt in a b; do break; done
for ((j = 0; j < 3; j++)); do echo $j; done
