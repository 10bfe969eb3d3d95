echo "$(echo "$(echo "$(echo "$(echo "$(echo "$(echo "$(echo "$(echo deep)")")")")")")")"
if a; then if b; then if c; then if d; then while e; do { ( f ); }; done; fi; fi; fi; fi
