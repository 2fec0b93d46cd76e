module example.org/hello-atproto

go 1.24
