# Bash completion for mco (Phobos), the counterpart of MCollective's
# ext/bash/mco_completion.sh. It asks mco itself what to offer:
#
#   mco <TAB>                      applications   (mco completion --list-applications)
#   mco rpc <TAB>                  agents         (mco completion --list-agents)
#   mco rpc AGENT <TAB>            actions        (mco completion --list-actions --agent AGENT)
#   mco rpc AGENT ACTION <TAB>     inputs, as key= (mco completion --list-inputs ...)
#   mco APP --dm <TAB>             discovery methods (mco completion --list-discovery-methods)
#   mco help|plugin doc <TAB>      applications / plugin names
#   mco APP -<TAB>                 APP's options  (from mco APP --help)
#
# Install it from the mco it completes, so that mco is the one asked even
# where another mco (Ruby's) comes first in PATH:
#
#   mco completion --bash > /usr/share/bash-completion/completions/mco
#   mco completion --bash > /etc/bash_completion.d/mco
#
# Sourced from where it ships (apps/mco/completion), it asks the bin/mco
# beside it.

# The mco to ask: `mco completion --bash` writes its own real path here.
_mco_bin=""
if [[ -z $_mco_bin ]]; then
  _mco_bin="$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")/bin/mco"
fi

_mco_words() {
  [[ -x $_mco_bin ]] && "$_mco_bin" "$@" 2>/dev/null
}

# Registered with -o nospace, as upstream: a word ending in `=` (an action's
# input) waits for its value; every other word gets its space here.
_mco_reply() {
  local word
  COMPREPLY=()
  for word in $(compgen -W "$1" -- "$2"); do
    [[ $word == *= ]] && COMPREPLY+=("$word") || COMPREPLY+=("$word ")
  done
}

# Options whose argument is the next word.
_mco_takes_value='@(-c|--config|--nodes|--script|--cg|--map|--collective-graph|-a|--agent|--dm|--disc-method|--display|-T|--target|--dt|--discovery-timeout|-t|--timeout|--ttl|--reply-to|--do|--disc-option|--publish_timeout|--publish-timeout|--connection-timeout|--batch|--batch-sleep|--limit-seed|--limit|--ln|--limit-nodes|-W|--with|-S|--select|-F|--wf|--with-fact|-C|--wc|--with-class|-A|--wa|--with-agent|-I|--wi|--with-identity|--action|--arg|--argument)'

_mco() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local prev="${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()

  if [[ $COMP_CWORD -eq 1 ]]; then
    _mco_reply "$(_mco_words completion --list-applications)" "$cur"
    return 0
  fi

  local app="${COMP_WORDS[1]}"

  case "$prev" in
    -c|--config|--nodes|--script|--cg|--map|--collective-graph)
      # Files: a space after a file, a slash and no space after a directory.
      compopt -o filenames +o nospace 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
    -a|--agent)
      _mco_reply "$(_mco_words completion --list-agents)" "$cur"
      return 0 ;;
    --dm|--disc-method)
      _mco_reply "$(_mco_words completion --list-discovery-methods)" "$cur"
      return 0 ;;
    --display)
      _mco_reply "ok failed all" "$cur"
      return 0 ;;
  esac
  # [[ == ]] matches an extended pattern whatever `shopt extglob` says (bash >= 4.1).
  # shellcheck disable=SC2053
  [[ $prev == $_mco_takes_value ]] && return 0

  if [[ "$cur" == -* ]]; then
    _mco_reply "$(_mco_words "$app" --help | grep -o -- '-\{1,2\}[A-Za-z0-9][-_A-Za-z0-9]*' | sort -u)" "$cur"
    return 0
  fi

  # The words that are not options (nor an option's argument) after the application.
  local words=() i=2 w
  while [[ $i -lt $COMP_CWORD ]]; do
    w="${COMP_WORDS[i]}"
    # shellcheck disable=SC2053
    if [[ $w == $_mco_takes_value ]]; then
      i=$((i + 2))
      continue
    fi
    [[ $w == -* ]] || words+=("$w")
    i=$((i + 1))
  done

  case "$app" in
    rpc)
      case ${#words[@]} in
        0) _mco_reply "$(_mco_words completion --list-agents)" "$cur" ;;
        1) _mco_reply "$(_mco_words completion --list-actions --agent "${words[0]}")" "$cur" ;;
        *) _mco_reply "$(_mco_words completion --list-inputs --agent "${words[0]}" --action "${words[1]}" | sed 's/$/=/')" "$cur" ;;
      esac ;;
    help)
      [[ ${#words[@]} -eq 0 ]] && _mco_reply "$(_mco_words completion --list-applications)" "$cur" ;;
    plugin)
      if [[ ${#words[@]} -eq 0 ]]; then
        _mco_reply "doc info package generate" "$cur"
      elif [[ ${#words[@]} -eq 1 && "${words[0]}" == doc ]]; then
        _mco_reply "$(_mco_words completion --list-agents) $(_mco_words completion --list-discovery-methods)" "$cur"
      fi ;;
  esac
  return 0
}

complete -o nospace -F _mco mco
