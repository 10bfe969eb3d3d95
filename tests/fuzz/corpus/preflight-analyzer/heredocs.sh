cat > /etc/apt/sources.list.d/custom.list <<'EOF2'
deb [signed-by=/usr/share/keyrings/custom.gpg] https://example.com/apt stable main
EOF2
cat <<EOF | sudo tee /etc/profile.d/task.sh
export TASK=$TASK_ID
EOF
sudo sh <<SCRIPT
apt-get install -y vim
mkdir -p /opt/tools
SCRIPT
	cat <<-END
	indented $HOME
	END
python3 - <<'PY'
print("hello")
PY
cat <<A <<"B"
first $x
A
second $y
B
