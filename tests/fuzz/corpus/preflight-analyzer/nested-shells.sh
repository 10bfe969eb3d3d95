sh -c 'apt-get update && apt-get install -y curl'
bash -lc "echo \"$TASK_ID\" > /etc/task"
su builder -c "pip install --user pipx"
sudo -u root bash -c 'mkdir -p /opt/a && sh -c "echo nested > /opt/a/f"'
env -i HOME=/root sh -c 'cd /opt && make install'
timeout 60 nice -n 10 apt-get install -y htop
