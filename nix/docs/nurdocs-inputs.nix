# What the nurdocs build reads from the repository (top-level files and
# folders): nurdocs.nix filters its source to these, and vendor-hash vendors
# from the same set, so the vendorHash it computes is the one the build needs.
[
  "go.mod"
  "go.sum"
  "changes"
  "cmd"
  "indexer"
  "internal"
  "search"
  "site"
  "themes"
]
