#!/bin/sh
# Shell and editor set-up, then the user's own dotfiles from the workspace.
set -e

info() { printf '\033[1;34m%s\033[0m\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }

if [ -r /etc/os-release ]; then
    . /etc/os-release
fi
DISTRO="${ID:-unknown}"

case "$DISTRO" in
    debian|ubuntu)
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends zsh tmux vim-nox git
        ;;
    fedora)
        dnf install -y zsh tmux vim-enhanced git
        ;;
    *)
        warn "unknown distribution $DISTRO: install zsh and tmux yourself"
        ;;
esac

mkdir -p /etc/zsh
cat > /etc/zsh/zshrc.local <<'EOF'
bindkey -e
setopt HIST_IGNORE_DUPS
EOF
printf 'set -g mouse on\nset -g history-limit 50000\n' > /etc/tmux.conf

DOTFILES="${DOTFILES_DIR:-$HOME/workspace/.dotfiles}"
if [ -d "$DOTFILES" ]; then
    info "linking dotfiles from $DOTFILES"
    for f in "$DOTFILES"/.[!.]*; do
        ln -sf "$f" "$HOME/$(basename "$f")"
    done
else
    warn "no dotfiles at $DOTFILES"
fi

git config --global user.name "$GIT_USER_NAME"
git config --global user.email "$GIT_USER_EMAIL"
