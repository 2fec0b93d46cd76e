// Loaded with NODE_OPTIONS=--require by the live tests: a TCP listener that
// asks for every address (Express's app.listen(port)) binds 127.0.0.1
// instead, so that a program without a bind-address setting (the PDS, the
// PLC server) still listens on loopback only under test. Nothing else in
// the program changes; a listener with an explicit host keeps it.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    if (typeof second !== "string") args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && first.port !== undefined && first.host === undefined && first.path === undefined) {
    args[0] = { ...first, host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
