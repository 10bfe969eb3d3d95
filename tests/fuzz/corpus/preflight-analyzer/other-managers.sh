yay -S --noconfirm ripgrep fd
sudo pacman -Syu --noconfirm --needed base-devel
dnf install -y gcc make && dnf clean all
apk add --no-cache bash coreutils
cargo install ripgrep --locked
go install golang.org/x/tools/gopls@latest
go install ./cmd/...
gem install bundler
brew install jq
