// Package live runs this repository's services for real: it builds each
// program from the pinned upstream source (../shared/upstream), renders the
// module's systemd unit with the project's stand-in NixOS and runs the
// program the way the unit says, on loopback, in a temporary root.
//
// The unit is the contract: the runner knows no application by name. What
// a program needs (environment, arguments, state and runtime directories,
// credentials, the health probe, the stop timeout) comes from the rendered
// unit; a test adds only the settings the module's assertions require.
//
// Builds are cached under $HOME/.cache/atproto-nur-live (override with
// ATPROTO_NUR_LIVE_CACHE), keyed by the source tarball's hash and the
// toolchain version. Each test skips with one line naming what is missing
// (Nix, nixpkgs' lib, the upstream tarballs, a toolchain).
package live
