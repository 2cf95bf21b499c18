// Adds package-lock entries for optional platform builds (rollup, msgpackr-extract) that this
// workplace's registry mirror cannot serve: npm then omits them from the lock, and `npm ci`
// rejects the lock as out of sync. The added entries carry os/cpu, so npm ci skips them on
// other platforms and installs them normally where they exist. Run after `npm install`.
import fs from "node:fs"

const file = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(fs.readFileSync(file, "utf8"))
const packages = lock.packages
const platform = (name) => {
  const parts = name.split("/").pop().split("-")
  const os = ["darwin", "linux", "win32", "android", "freebsd", "openbsd", "openharmony", "sunos", "aix"].find((o) =>
    parts.includes(o)
  )
  const cpu = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x"].find((c) => parts.includes(c))
  const libc = parts.includes("musl")
    ? ["musl"]
    : parts.includes("gnu") || parts.includes("gnueabihf")
    ? ["glibc"]
    : undefined
  return { os, cpu, libc }
}
let added = 0
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`
    if (packages[key] || packages[`${path}/node_modules/${dep}`]) continue
    const { os, cpu, libc } = platform(dep)
    if (!os || !cpu) continue
    packages[key] = {
      version,
      cpu: [cpu],
      dev: entry.dev,
      license: "MIT",
      optional: true,
      os: [os],
      ...(libc ? { libc } : {})
    }
    if (!entry.dev) delete packages[key].dev
    added++
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1))
)
lock.packages = sorted
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n")
console.log(`complete-lockfile: added ${added} optional platform entries`)
