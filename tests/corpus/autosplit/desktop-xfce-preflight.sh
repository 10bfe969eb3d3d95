#!/bin/sh
# Headless XFCE desktop reachable through noVNC: install in the image,
# start the servers at every task start.
set -eu

have() { command -v "$1" >/dev/null 2>&1; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

if have apt-get; then
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends xfce4 xfce4-terminal dbus-x11 tigervnc-standalone-server novnc websockify
    as_root rm -rf /var/lib/apt/lists/*
elif have pacman; then
    as_root pacman -Sy --noconfirm --needed xfce4 tigervnc novnc python-websockify
else
    echo "desktop: unsupported image" >&2
    exit 1
fi

as_root mkdir -p /etc/xdg/xfce4/xfconf/xfce-perchannel-xml
as_root tee /etc/xdg/xfce4/xfconf/xfce-perchannel-xml/xfwm4.xml >/dev/null <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfwm4" version="1.0">
  <property name="general" type="empty">
    <property name="use_compositing" type="bool" value="false"/>
  </property>
</channel>
EOF

DISPLAY_NUM=1
export DISPLAY=":${DISPLAY_NUM}"
VNC_PORT=$((5900 + DISPLAY_NUM))
mkdir -p "$HOME/.vnc"
printf '#!/bin/sh\nexec startxfce4\n' > "$HOME/.vnc/xstartup"
chmod +x "$HOME/.vnc/xstartup"
vncserver "$DISPLAY" -SecurityTypes None -localhost yes -geometry 1600x900 >/tmp/vnc.log 2>&1
websockify --web /usr/share/novnc 6080 "localhost:${VNC_PORT}" >/tmp/novnc.log 2>&1 &
echo "desktop: http://127.0.0.1:6080/vnc.html"
