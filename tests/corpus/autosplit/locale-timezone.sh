#!/bin/sh
# Locale and time zone, set once in the image.
set -e

export DEBIAN_FRONTEND=noninteractive
LANG_CODE="en_US.UTF-8"
TZ_NAME="Etc/UTC"

apt-get update
apt-get install -y --no-install-recommends locales tzdata

sed -i "s/^# *${LANG_CODE} UTF-8/${LANG_CODE} UTF-8/" /etc/locale.gen
locale-gen
update-locale LANG="$LANG_CODE"

ln -snf "/usr/share/zoneinfo/${TZ_NAME}" /etc/localtime
echo "$TZ_NAME" > /etc/timezone
dpkg-reconfigure -f noninteractive tzdata

rm -rf /var/lib/apt/lists/*

export LANG="$LANG_CODE"
export LC_ALL="$LANG_CODE"
locale
