bash <<'OUTER'
apt-get install -y foo
sh <<INNER
mkdir -p /opt/inner
echo $TASK_ID
INNER
OUTER
cat <<EOF | sudo sh
dnf install -y vim
EOF
