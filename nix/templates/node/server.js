// The starting point of a new AT Protocol service: a health endpoint on
// PORT (default 3000).
import { createServer } from "node:http";
import { readFileSync } from "node:fs";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url)));

if (process.argv.includes("--version")) {
  console.log(version);
  process.exit(0);
}

const port = Number(process.env.PORT ?? 3000);
createServer((req, res) => {
  if (req.url === "/xrpc/_health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ version }));
    return;
  }
  res.writeHead(404).end();
}).listen(port, () => console.log(`listening on :${port}`));
