# Checks a rendered unit against the recorded facts of how its Rust program
# reads its configuration (upstream-args/<program>.json), because none of
# these programs can be built here to try the unit for real.
#
#   clap programs: the arguments the unit passes and the variables it sets
#   are parsed the way clap 4.5 does it: a variable counts as given exactly
#   like a flag (even `false`), `requires` and `conflicts_with` look only at
#   given arguments (not defaults), a variable of a repeatable argument is
#   one value unless a value delimiter is declared, a SetTrue flag takes no
#   value on the command line and only true/false from a variable, and the
#   value parsers (URL, socket address, integers, enums) must accept each value.
#   env programs: every variable must be one the program reads, and its
#   value one the program's reader accepts (these readers mostly fall back
#   to their default in silence, so a wrong value would go unnoticed).
#
#   check = (import ./upstream-args.nix { inherit lib; }).checkUnit facts unit
#   -> [ "problem", ... ]   ([ ] when the program would accept the unit)
{ lib }:
let
  inherit (builtins)
    match
    elem
    filter
    attrNames
    head
    tail
    length
    ;

  # --- the unit's command line and secret variables -------------------------

  # The words after `exec` (the program, then its arguments) in the unit's
  # script, unquoted from
  # lib.escapeShellArgs ('…' with ' written as '\'').
  argvOf =
    script:
    let
      line = lib.findFirst (l: lib.hasPrefix "exec " l) null (map lib.trim (lib.splitString "\n" script));
      words = filter builtins.isList (builtins.split "('[^']*'(\\\\''[^']*')*|[^ ]+)" line);
      unquote =
        w:
        if lib.hasPrefix "'" w then
          lib.replaceStrings [ "'\\''" ] [ "'" ] (lib.substring 1 (lib.stringLength w - 2) w)
        else
          w;
    in
    if line == null then
      throw "upstream-args: the unit's script has no exec line"
    else
      map (w: unquote (head w)) (tail words);

  # Variables the script exports from credentials: name -> null (the value
  # is a secret, not known at evaluation).
  secretEnvOf =
    script:
    lib.listToAttrs (
      map (m: lib.nameValuePair (head m) null) (
        filter (m: m != null) (map (l: match "export ([A-Za-z_][A-Za-z0-9_]*)=.*" (lib.trim l)) (lib.splitString "\n" script))
      )
    );

  # --- value parsers ----------------------------------------------------------

  digits = v: match "[0-9]+" v != null;
  portOk = p: digits p && lib.stringLength p <= 5 && lib.toInt p <= 65535;
  ipv4 =
    v:
    let
      m = match "([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})" v;
    in
    m != null && builtins.all (o: lib.toInt o <= 255) m;
  ipv6 = v: match "[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*" v != null;
  ip = v: ipv4 v || ipv6 v;

  # std::net::SocketAddr: an IP literal (IPv6 in brackets) and a port.
  socketAddr =
    v:
    let
      v4 = match "([^:]*):([0-9]+)" v;
      v6 = match "\\[([^]]*)]:([0-9]+)" v;
    in
    if v4 != null then
      ipv4 (head v4) && portOk (lib.last v4)
    else if v6 != null then
      ipv6 (head v6) && portOk (lib.last v6)
    else
      false;

  # The WHATWG URL rules the url crate applies that a configuration can
  # break: a scheme, a host for the special schemes, and no credentials or
  # port before an empty host (url/src/parser.rs: EmptyHost).
  urlProblem =
    v:
    let
      m = match "([A-Za-z][A-Za-z0-9+.-]*):(.*)" v;
      scheme = lib.toLower (head m);
      rest = lib.last m;
      special = elem scheme [
        "http"
        "https"
        "ws"
        "wss"
        "ftp"
        "file"
      ];
      authority = head (match "//([^/?#]*).*" rest);
      hasAuthority = lib.hasPrefix "//" rest;
      hostPort = lib.last (lib.splitString "@" authority);
      host = head (match "(\\[[^]]*]|[^:]*)(:.*)?" hostPort);
      port = lib.removePrefix ":" (lib.removePrefix host hostPort);
    in
    if m == null then
      "not a URL (no scheme)"
    else if special && !hasAuthority && scheme != "file" then
      "a ${scheme} URL needs //host"
    else if !hasAuthority then
      null
    else if host == "" && (lib.hasInfix "@" authority || port != "") then
      "empty host after credentials or a port (the url crate refuses it: EmptyHost)"
    else if host == "" && special && scheme != "file" then
      "empty host"
    else if port != "" && !portOk port then
      "invalid port ${port}"
    else
      null;

  # The reason a value is refused, or null. `kind` names the parser.
  valueProblem =
    kind: spec: v:
    if kind == "string" || kind == "path" || kind == "list" || kind == "rust-log" || kind == "relay-lenient" then
      null
    else if kind == "url" then
      urlProblem v
    else if kind == "socketaddr" then
      (if socketAddr v then null else "not an IP address and port")
    else if kind == "socketaddr-list" then
      let
        items = filter (s: s != "") (map lib.trim (lib.splitString "," v));
      in
      if items == [ ] then
        "no address"
      else if builtins.all socketAddr items then
        null
      else
        "not a list of IP addresses and ports"
    else if kind == "ip" then
      (if ip v then null else "not an IP address")
    else if kind == "u64" || kind == "usize" then
      (if digits v then null else "not an unsigned integer")
    else if kind == "u16" then
      (if portOk v then null else "not an integer from 0 to 65535")
    else if kind == "f64" then
      (if match "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?" v != null then null else "not a number")
    else if kind == "bool" || kind == "rust-bool" then
      (if elem v [ "true" "false" ] then null else "not true or false")
    else if kind == "rsky-bool" then
      (if elem v [ "true" "false" "1" "0" ] then null else "not true, false, 1 or 0")
    else if kind == "equals-1" then
      (if v == "1" then null else "only 1 turns it on; \"${v}\" is read as off")
    else if kind == "enum" then
      (if elem (lib.toLower v) (map lib.toLower spec.possibleValues) then null else "not one of ${lib.concatStringsSep ", " spec.possibleValues}")
    else
      throw "upstream-args: unknown value kind ${kind}";

  # --- clap -------------------------------------------------------------------

  checkClap =
    facts:
    {
      environment,
      secretEnv,
      argv,
    }:
    let
      args = lib.mapAttrs (id: a: a // { inherit id; }) facts.args;
      argList = builtins.attrValues args;
      byLong = lib.listToAttrs (map (a: lib.nameValuePair a.long a) argList);
      subcommand = facts.subcommand or null;

      subcommandProblems = lib.optional (
        subcommand != null && (argv == [ ] || head argv != subcommand)
      ) "the command line does not start with the subcommand ${subcommand}";
      words = if subcommand != null && argv != [ ] && head argv == subcommand then tail argv else argv;

      # --long or --long=value
      parsed = map (
        w:
        let
          m = match "--([^=]+)(=(.*))?" w;
        in
        if m == null then
          { problem = "unexpected argument ${w}"; }
        else if !(byLong ? ${head m}) then
          { problem = "unknown argument --${head m}"; }
        else
          {
            arg = byLong.${head m};
            value = lib.elemAt m 2;
          }
      ) words;
      parseProblems = map (p: p.problem) (filter (p: p ? problem) parsed);
      occurrences = filter (p: p ? arg) parsed;
      cliValues = lib.foldl' (
        acc: o: acc // { ${o.arg.id} = (acc.${o.arg.id} or [ ]) ++ [ o.value ]; }
      ) { } occurrences;

      cliProblems = lib.concatLists (
        lib.mapAttrsToList (
          id: values:
          let
            a = args.${id};
          in
          lib.optional (a.action == "set-true" && builtins.any (v: v != null) values)
            "--${a.long} is a flag and takes no value"
          ++ lib.optional (a.action != "set-true" && elem null values) "--${a.long} needs a value"
          ++ lib.optional (a.action != "append" && length values > 1) "--${a.long} is given more than once"
        ) cliValues
      );

      variables = environment // secretEnv;
      # clap reads a variable only for an argument not on the command line.
      fromEnv = lib.listToAttrs (
        map (a: lib.nameValuePair a.id variables.${a.env}) (
          filter (a: a.env or null != null && variables ? ${a.env} && !(cliValues ? ${a.id})) argList
        )
      );
      given = id: cliValues ? ${id} || fromEnv ? ${id};

      # Values each given argument receives (null: a secret, not checked).
      valuesOf =
        id:
        let
          a = args.${id};
        in
        if cliValues ? ${id} then
          (if a.action == "set-true" then [ ] else filter (v: v != null) cliValues.${id})
        else if fromEnv.${id} == null then
          [ ]
        else if (a.valueDelimiter or null) != null then
          lib.splitString a.valueDelimiter fromEnv.${id}
        else
          [ fromEnv.${id} ];

      valueProblems = lib.concatMap (
        a:
        let
          kind = if a.action == "set-true" then "bool" else a.value;
        in
        map (v: "${a.id} (${if cliValues ? ${a.id} then "--${a.long}" else a.env} = \"${v}\"): ${valueProblem kind a v}") (
          filter (v: valueProblem kind a v != null) (valuesOf a.id)
        )
      ) (filter (a: given a.id) argList);

      delimiterProblems = map (
        a:
        "${a.env} = \"${fromEnv.${a.id}}\" reaches ${facts.program} as one value: the variable has no value delimiter (pass several as repeated --${a.long})"
      ) (
        filter (
          a:
          a.action == "append"
          && fromEnv ? ${a.id}
          && fromEnv.${a.id} != null
          && (a.valueDelimiter or null) == null
          && lib.hasInfix "," fromEnv.${a.id}
        ) argList
      );

      source = a: if cliValues ? ${a.id} then "--${a.long}" else "${a.env} (set in the environment, which clap counts as given)";
      requiredProblems = map (a: "the required argument ${a.id} (--${a.long}${lib.optionalString (a.env or null != null) " or ${a.env}"}) is not given") (
        filter (a: (a.required or false) && !(given a.id)) argList
      );
      requiresProblems = lib.concatMap (
        a:
        map (r: "${source a} requires ${r} (--${args.${r}.long}), which is not given") (
          filter (r: !(given r)) (a.requires or [ ])
        )
      ) (filter (a: given a.id) argList);
      conflictProblems = lib.concatMap (
        a: map (c: "${source a} cannot be used with ${source args.${c}}") (filter given (a.conflictsWith or [ ]))
      ) (filter (a: given a.id) argList);

      readEnv = lib.concatMap (a: lib.optional (a.env or null != null) a.env) argList ++ attrNames (facts.otherVariables or { });
      unreadProblems = map (n: "${n} is set but ${facts.program} reads no such variable") (
        filter (n: !(elem n readEnv)) (attrNames variables)
      );
    in
    subcommandProblems
    ++ parseProblems
    ++ cliProblems
    ++ unreadProblems
    ++ requiredProblems
    ++ requiresProblems
    ++ conflictProblems
    ++ delimiterProblems
    ++ valueProblems;

  # --- programs reading variables directly -------------------------------------

  checkEnv =
    facts:
    {
      environment,
      secretEnv,
      argv,
    }:
    let
      variables = environment // secretEnv;
      known = facts.variables;
    in
    lib.optional (argv != [ ]) "${facts.program} takes no arguments, but the unit passes ${lib.concatStringsSep " " argv}"
    ++ map (n: "${n} is set but ${facts.program} reads no such variable") (filter (n: !(known ? ${n})) (attrNames variables))
    ++ lib.concatMap (
      n:
      let
        problem = valueProblem known.${n}.reader known.${n} environment.${n};
      in
      lib.optional (problem != null) "${n} = \"${environment.${n}}\": ${problem}"
    ) (filter (n: known ? ${n}) (attrNames environment));

  check =
    facts: rendered:
    if facts.parser == "clap" then
      checkClap facts rendered
    else if facts.parser == "env" then
      checkEnv facts rendered
    else
      throw "upstream-args: unknown parser ${facts.parser}";

  # A systemd.services entry -> what the program would be given.
  renderedOf = unit: {
    environment = lib.mapAttrs (_: toString) (lib.filterAttrs (_: v: v != null) unit.environment);
    secretEnv = secretEnvOf unit.script;
    argv = tail (argvOf unit.script);
  };
in
{
  inherit
    argvOf
    secretEnvOf
    urlProblem
    check
    renderedOf
    ;

  # The facts of one program.
  factsOf = program: lib.importJSON (./upstream-args + "/${program}.json");

  checkUnit = facts: unit: check facts (renderedOf unit);
}
