// Runs when the package is installed from its folder (`npm install
// ./bindings-node`): builds the native addon with the lean `dist` profile
// (thin LTO, stripped) when the package has none yet. A packed tarball
// carries its addon and skips this; so does the test script, which builds
// its own (CLAIMSCOPE_NODE_SKIP_BUILD=1).
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const here = path.join(__dirname, "..");
const built = fs.existsSync(path.join(here, "index.js")) && fs.readdirSync(here).some((f) => f.endsWith(".node"));
if (process.env.CLAIMSCOPE_NODE_SKIP_BUILD === "1" || built) {
  process.exit(0);
}
// The napi CLI of the package's devDependencies when present, else the same
// major version from the registry (a folder install has no devDependencies).
const local = path.join(here, "node_modules", ".bin", "napi");
const [command, prefix] = fs.existsSync(local) ? [local, []] : ["npx", ["--yes", "--package=@napi-rs/cli@3", "napi"]];
const run = (file, args) => execFileSync(file, args, { cwd: here, stdio: "inherit" });
console.error("claimscope: building the native addon (cargo, profile dist); the first build takes a while");
run(command, [...prefix, "build", "--platform", "--profile", "dist", "--js", "index.js", "--dts", "index.d.ts"]);
run(process.execPath, [path.join(__dirname, "append-types.js")]);
