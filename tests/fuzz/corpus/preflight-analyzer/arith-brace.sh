echo $(( (1 + 2) * $(echo 3) ))
x=${y:-${z:-$(echo "${w:-default}")}}
echo ${x%%/*} ${x#*:} ${!prefix*}
: "${VAR:=$(date +%s)}"
echo "$((16#ff))" $[1+1]
