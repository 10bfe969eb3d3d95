if true; then
  apt-get install -y x
echo "unterminated
cat <<EOF
no end
