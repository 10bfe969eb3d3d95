curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -
curl -LsSf https://astral.sh/uv/install.sh | sh
wget -qO- https://get.pnpm.io/install.sh | ENV="$HOME/.bashrc" SHELL="$(which bash)" bash -
curl -fsSL https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_linux_amd64.tar.gz | tar -xz -C /opt
curl -o /usr/local/bin/kubectl -L "https://dl.k8s.io/release/$(curl -Ls https://dl.k8s.io/release/stable.txt)/bin/linux/amd64/kubectl"
chmod +x /usr/local/bin/kubectl
