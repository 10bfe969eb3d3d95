
# first comment

# tools
apt-get install -y git   # inline comment

echo one
# trailing comment
# another

