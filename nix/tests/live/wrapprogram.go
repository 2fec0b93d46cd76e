package live

// wrapProgram is the part of nixpkgs' makeWrapper that the packages'
// postInstall scripts use: `wrapProgram PROG --prefix VAR SEP VALUE`
// (and --suffix, --set, --add-flags). As nixpkgs does, it moves the program
// to .PROG-wrapped beside it and writes a bash script in its place that
// sets the variables and execs the moved program with argv[0] kept, so
// the program's os.Executable() is the -wrapped file, which matters to
// programs that write their own path into hooks or authorized_keys (knot).
// The wrapper finds the program beside itself, not by its absolute path
// as nixpkgs' does, because the build folder is renamed into the build
// cache afterwards. Store paths in the values are not mapped: an absent folder on PATH is
// skipped by the shell, and the host's programs are found after it.
const wrapProgram = `
wrapProgram() {
  local prog=$1; shift
  local wrapped
  wrapped=$(dirname "$prog")/.$(basename "$prog")-wrapped
  [[ -x $prog && ! -e $wrapped ]] || { echo "wrapProgram: $prog is not a program, or is already wrapped" >&2; return 1; }
  local lines=() flags=""
  while (($#)); do
    case $1 in
      --prefix)
        lines+=("export $2=$(printf %q "$4")\${$2:+$(printf %q "$3")\$$2}"); shift 4 ;;
      --suffix)
        lines+=("export $2=\${$2:+\$$2$(printf %q "$3")}$(printf %q "$4")"); shift 4 ;;
      --set)
        lines+=("export $2=$(printf %q "$3")"); shift 3 ;;
      --add-flags)
        flags+=" $2"; shift 2 ;;
      *) echo "wrapProgram: $1 is not supported by the live tests' stand-in" >&2; return 1 ;;
    esac
  done
  mv "$prog" "$wrapped"
  {
    echo '#!/usr/bin/env bash'
    echo 'set -e'
    printf '%s\n' "${lines[@]}"
    echo "exec -a \"\$0\" \"\$(dirname \"\$(readlink -f \"\${BASH_SOURCE[0]}\")\")\"/$(printf %q "$(basename "$wrapped")")$flags \"\$@\""
  } > "$prog"
  chmod 0755 "$prog"
}
`
