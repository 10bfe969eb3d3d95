case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  (aarch64|arm64) arch=arm64
    echo esac fi done ;;
  *) case $x in y) : ;; esac ;;
esac
curl -o /opt/t-$arch https://example.com/t-$arch
case "$ID" in
  ubuntu|debian) apt-get install -y git ;;&
  arch) pacman -S --noconfirm git ;;
  *) echo "unknown" ;;
esac
