// Package examples holds no Go code: this folder keeps the NixOS
// configurations that the guides in content/ quote, and its tests keep the
// two in step.
//
//   - snippets_test.go: every ```nix block of a guide is a verbatim region
//     of a file here, and every file here is quoted by some guide.
//   - nixos_options_test.go: the NixOS options the examples set outside
//     services.atproto exist in NixOS (checked against the option corpus).
//   - endpoints_test.go: the monitoring guide's table of metrics endpoints
//     and health probes is what the modules generate.
//   - links_test.go: relative links between guides land on a guide and, with
//     a fragment, on one of its {#anchor} headings.
//   - nix/tests/examples/*.test.nix (run by nix/tests/run): every example
//     evaluates against this repository's modules, passes their assertions
//     without warnings and generates the units it promises.
package examples
