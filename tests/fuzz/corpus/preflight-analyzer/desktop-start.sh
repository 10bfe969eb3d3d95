#!/bin/sh
# Starts the headless desktop at task start: Xvfb on :1, a window manager,
# x11vnc on 5900 and noVNC on 6080 (published by Agents Runner on 127.0.0.1).
set -eu

export DISPLAY="${DISPLAY:-:1}"
log_dir="${AGENTS_RUNNER_DESKTOP_LOG_DIR:-/tmp/agents-runner-desktop}"
mkdir -p "$log_dir"

web=""
for d in /usr/share/novnc /usr/share/webapps/novnc /usr/share/noVNC /opt/novnc; do
    if [ -f "$d/vnc.html" ]; then web="$d"; break; fi
done
if [ -z "$web" ]; then
    echo "desktop: noVNC is not installed (no vnc.html found)" >&2
    exit 1
fi

Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$log_dir/xvfb.log" 2>&1 &
i=0
while [ ! -e "/tmp/.X11-unix/X${DISPLAY#:}" ] && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
# The window manager: twm (what install.sh installs), else one an image
# brings. twm on its own asks the user to place each new window with the
# mouse; its configuration here (the system's, else a small one of its own,
# with RandomPlacement before it) makes it place them itself.
if command -v twm >/dev/null 2>&1; then
    rc="$log_dir/twmrc"
    {
        echo 'RandomPlacement'
        echo 'UsePPosition "on"'
        system_rc=""
        for f in /etc/X11/twm/system.twmrc /usr/share/X11/twm/system.twmrc /usr/lib/X11/twm/system.twmrc; do
            if [ -f "$f" ]; then system_rc="$f"; break; fi
        done
        if [ -n "$system_rc" ]; then
            cat "$system_rc"
        else
            echo 'NoGrabServer'
            echo 'DecorateTransients'
            echo 'Button1 = : title : f.move'
            echo 'Button1 = : root : f.nop'
            echo 'Button3 = : title : f.raiselower'
        fi
    } >"$rc"
    (twm -f "$rc" >"$log_dir/wm.log" 2>&1 &) || true
else
    for wm in fluxbox matchbox-window-manager openbox evilwm; do
        if command -v "$wm" >/dev/null 2>&1; then
            ("$wm" >"$log_dir/wm.log" 2>&1 &) || true
            break
        fi
    done
fi
x11vnc -display "$DISPLAY" -forever -shared -nopw -rfbport 5900 -quiet >"$log_dir/x11vnc.log" 2>&1 &
# The websockify command, else its Python module (all Debian's
# python3-websockify installs).
if command -v websockify >/dev/null 2>&1; then
    websockify --web "$web" 6080 localhost:5900 >"$log_dir/novnc.log" 2>&1 &
else
    python3 -m websockify --web "$web" 6080 localhost:5900 >"$log_dir/novnc.log" 2>&1 &
fi

# Done when noVNC answers (Agents Runner offers "Open desktop" from then
# on): a listening socket on 6080 in /proc/net/tcp or tcp6 (state 0A), which
# needs no tool the image may lack; up to 30 s.
i=0
until grep -q '^ *[0-9]*: [0-9A-F]*:17C0 [0-9A-F]*:0000 0A ' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
    if [ "$i" -ge 300 ]; then
        echo "desktop: noVNC does not answer on port 6080 after 30 s; see $log_dir/novnc.log" >&2
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
echo "desktop: started on $DISPLAY, noVNC on port 6080"
