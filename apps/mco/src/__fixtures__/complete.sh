# Runs completion/mco.bash's _mco for the words given, one completion a line.
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_mco
printf "%s\n" "${COMPREPLY[@]}"
