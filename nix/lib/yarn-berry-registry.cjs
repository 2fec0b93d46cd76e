// Serves a folder of npm tarballs, laid out by their registry URL paths
// (<name>/-/<name>-<version>.tgz, scoped names as @scope/<name>/-/...), on
// 127.0.0.1 for an offline Yarn 4 install: the build points Yarn's
// npmRegistryServer here, so every tarball Yarn fetches is one the package
// pinned by hash. Anything else is answered 404 and logged, so a missing
// tarball names itself in the build log.
//
//   node yarn-berry-registry.cjs DIR PORTFILE
//
// The port it listens on is written to PORTFILE once it listens.
'use strict'
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

const [dir, portFile] = process.argv.slice(2)
if (!dir || !portFile) {
  console.error('usage: node yarn-berry-registry.cjs DIR PORTFILE')
  process.exit(2)
}
const root = path.resolve(dir)

const server = http.createServer((req, res) => {
  const notFound = (why) => {
    console.error(`yarn-berry-registry: 404 ${req.method} ${req.url}: ${why}`)
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end(why + '\n')
  }
  let rel
  try {
    // Yarn writes a scoped name's slash as %2f.
    rel = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname)
  } catch (e) {
    return notFound('bad URL')
  }
  const file = path.join(root, rel)
  if (req.method !== 'GET' || !rel.endsWith('.tgz') || !file.startsWith(root + path.sep)) {
    return notFound('only the pinned tarballs are served')
  }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return notFound('not among the pinned tarballs')
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size })
    fs.createReadStream(file).pipe(res)
  })
})

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(portFile, String(server.address().port))
})
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
