ln -fs /usr/share/zoneinfo/Europe/Berlin /etc/localtime
echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen
locale-gen
update-alternatives --set editor /usr/bin/vim.basic
useradd -m -s /bin/bash dev
echo 'dev ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/dev
chmod 0440 /etc/sudoers.d/dev
systemctl enable ssh || true
