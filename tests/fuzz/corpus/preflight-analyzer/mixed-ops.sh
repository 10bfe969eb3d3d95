apt-get update &&
  apt-get install -y jq ||
  echo failed
make 2>&1 | tee build.log; echo done &
cmd1 && { cmd2 || cmd3; } ; ! false
coproc worker { sleep 1; }
time ls >| /dev/null
exec 3<>/tmp/fifo
cat < /etc/os-release 2>/dev/null >&2
echo hi &>> /var/log/x
