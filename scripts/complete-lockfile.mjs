// Adds lockfile entries for optional platform packages (other OSes' and CPUs' builds of deno,
// rollup, ...) that npm left out. The registry this project installs from serves only the builds
// for this machine's platform, so `npm install` omits the others from package-lock.json, and
// `npm ci` then refuses the lockfile as out of sync. The added entries carry os/cpu constraints,
// so npm skips them here exactly as it would have. Run after every `npm install`:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;

const osOf = (name) =>
  ["darwin", "win32", "android", "freebsd", "openbsd", "openharmony", "sunos", "aix"].find((os) =>
    name.includes(os),
  ) ?? "linux";
const cpuOf = (name) =>
  ["arm64", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el"].find((cpu) =>
    name.includes(cpu),
  ) ?? (/-arm(-|$)/.test(name) ? "arm" : "x64");

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path === "" ? "" : `${path}/`}node_modules/${name}`;
    if (packages[nested] !== undefined || packages[`node_modules/${name}`] !== undefined) continue;
    const platform = {
      version,
      cpu: [cpuOf(name)],
      dev: entry.dev,
      optional: true,
      os: [osOf(name)],
    };
    if (name.includes("musl")) platform.libc = ["musl"];
    else if (name.includes("linux") && name.includes("gnu")) platform.libc = ["glibc"];
    if (platform.dev === undefined) delete platform.dev;
    packages[`node_modules/${name}`] = platform;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) =>
    a === "" ? -1 : b === "" ? 1 : a.localeCompare(b, "en"),
  ),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);
