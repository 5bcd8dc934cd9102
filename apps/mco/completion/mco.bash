# Bash completion for mco (Phobos), the counterpart of MCollective's
# ext/bash/mco_completion.sh. It asks mco itself what to offer:
#
#   mco <TAB>                      applications   (mco completion --list-applications)
#   mco rpc <TAB>                  agents         (mco completion --list-agents)
#   mco rpc AGENT <TAB>            actions        (mco completion --list-actions --agent AGENT)
#   mco rpc AGENT ACTION <TAB>     inputs, as key= (mco completion --list-inputs ...)
#   mco help|plugin doc <TAB>      applications / plugin names
#   mco APP -<TAB>                 APP's options  (from mco APP --help)
#
# Install: source it from ~/.bashrc, or copy it to /etc/bash_completion.d/mco.
# MCO can name another mco command (MCO=./apps/mco/bin/mco, MCO="node /path/to/bin/mco").

_mco_words() {
  ${MCO:-mco} "$@" 2>/dev/null
}

_mco() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local prev="${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()

  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "$(_mco_words completion --list-applications)" -- "$cur"))
    return 0
  fi

  local app="${COMP_WORDS[1]}"

  # Arguments of options that take one are files, filters or values: complete files only.
  case "$prev" in
    -c|--config|--nodes|--script|--cg|--map|--collective-graph)
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0 ;;
    -a|--agent)
      COMPREPLY=($(compgen -W "$(_mco_words completion --list-agents)" -- "$cur"))
      return 0 ;;
    --dm|--disc-method)
      COMPREPLY=($(compgen -W "mc flatfile stdin" -- "$cur"))
      return 0 ;;
    --display)
      COMPREPLY=($(compgen -W "ok failed all" -- "$cur"))
      return 0 ;;
    -T|--target|--dt|--discovery-timeout|-t|--timeout|--ttl|--reply-to|--do|--disc-option|\
    --publish_timeout|--connection-timeout|--batch|--batch-sleep|--limit-seed|--limit|--ln|\
    --limit-nodes|-W|--with|-S|--select|-F|--wf|--with-fact|-C|--wc|--with-class|-A|--wa|\
    --with-agent|-I|--wi|--with-identity|--action|--arg|--argument)
      return 0 ;;
  esac

  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mco_words "$app" --help | grep -o -- '-\{1,2\}[A-Za-z0-9][-_A-Za-z0-9]*' | sort -u)" -- "$cur"))
    return 0
  fi

  # The words that are not options (nor an option's argument) after the application.
  local words=() i=2 w
  while [[ $i -lt $COMP_CWORD ]]; do
    w="${COMP_WORDS[i]}"
    case "$w" in
      -c|--config|--nodes|--script|--cg|--map|--collective-graph|-a|--agent|--dm|--disc-method|\
      --display|-T|--target|--dt|--discovery-timeout|-t|--timeout|--ttl|--reply-to|--do|\
      --disc-option|--publish_timeout|--connection-timeout|--batch|--batch-sleep|--limit-seed|\
      --limit|--ln|--limit-nodes|-W|--with|-S|--select|-F|--wf|--with-fact|-C|--wc|--with-class|\
      -A|--wa|--with-agent|-I|--wi|--with-identity|--action|--arg|--argument)
        i=$((i + 2)); continue ;;
      -*) ;;
      *) words+=("$w") ;;
    esac
    i=$((i + 1))
  done

  case "$app" in
    rpc)
      case ${#words[@]} in
        0) COMPREPLY=($(compgen -W "$(_mco_words completion --list-agents)" -- "$cur")) ;;
        1) COMPREPLY=($(compgen -W "$(_mco_words completion --list-actions --agent "${words[0]}")" -- "$cur")) ;;
        *)
          local inputs
          inputs=$(_mco_words completion --list-inputs --agent "${words[0]}" --action "${words[1]}" | sed 's/$/=/')
          compopt -o nospace 2>/dev/null
          COMPREPLY=($(compgen -W "$inputs" -- "$cur")) ;;
      esac ;;
    help)
      [[ ${#words[@]} -eq 0 ]] && COMPREPLY=($(compgen -W "$(_mco_words completion --list-applications)" -- "$cur")) ;;
    plugin)
      if [[ ${#words[@]} -eq 0 ]]; then
        COMPREPLY=($(compgen -W "doc info package generate" -- "$cur"))
      elif [[ ${#words[@]} -eq 1 && "${words[0]}" == doc ]]; then
        COMPREPLY=($(compgen -W "$(_mco_words completion --list-agents) mc flatfile stdin" -- "$cur"))
      fi ;;
  esac
  return 0
}

complete -F _mco mco
