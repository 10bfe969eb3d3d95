#!/bin/bash
# Arch-based agent image (PixelArch style): pacman and an AUR helper.
set -e

say() { echo -e "\e[1;32m::\e[0m $*"; }

if ! command -v pacman >/dev/null; then
    echo "this preflight is for Arch-based images" >&2
    exit 1
fi

say "refreshing the package database"
sudo pacman -Syu --noconfirm
sudo pacman -S --noconfirm --needed base-devel git github-cli ripgrep fd jq python python-pip nodejs npm
yay -S --noconfirm --needed visual-studio-code-bin
sudo pacman -Scc --noconfirm

sudo sed -i 's/^#Color/Color/' /etc/pacman.conf
echo 'ParallelDownloads = 8' | sudo tee -a /etc/pacman.conf >/dev/null

sudo npm install -g @openai/codex
pip install --user --break-system-packages httpie

export PATH="$HOME/.local/bin:$PATH"
gh auth status || echo "gh: not logged in (set GH_TOKEN in the environment)"
git config --global credential.helper '!gh auth git-credential'
say "ready"
