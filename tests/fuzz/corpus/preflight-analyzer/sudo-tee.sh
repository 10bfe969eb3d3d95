echo "deb http://deb.debian.org/debian bookworm-backports main" | sudo tee /etc/apt/sources.list.d/backports.list
curl -fsSL https://example.com/key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/example.gpg
sudo install -m 0755 -d /etc/apt/keyrings
sudo sed -i 's/^#\(en_US\)/\1/' /etc/locale.gen
sudo cp -r ./config /etc/myapp
sudo mkdir -p /usr/local/lib/app && sudo touch /usr/local/lib/app/.keep
