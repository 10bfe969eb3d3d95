apt-get update
cat <<EOF
x
EOF
echo b
