echo "if then"
echo 'for x in; do'
echo \{
echo case
printf '%s\n' "$(echo fi)"
echo "a $(echo "b $(echo "c ${X:-"d"}")")"
echo $'tab\there' "\$not" `echo back \`tick\``
arr=(one "two three" $(ls))
echo ${arr[@]} ${#arr[@]} ${X//a/b} ${Y:+"set"}
[[ $a == *.sh && -f "$a" ]] && echo yes
(( n = 1 + 2 ))
diff <(sort a) <(sort b) > /tmp/d
