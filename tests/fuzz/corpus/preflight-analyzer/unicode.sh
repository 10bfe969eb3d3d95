# Vérifie l'installation — ünïcödé ✓
echo "café	tab"
printf '→ %s\n' "日本語"
mkdir -p /opt/données
