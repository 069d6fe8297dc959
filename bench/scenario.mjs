// Runs one scenario for one library in this (fresh) process and prints JSON result lines.
// Usage: node --expose-gc bench/scenario.mjs --scenario hit --lib entra-edge --origin http://127.0.0.1:PORT [--n 1000] ...
import { args } from "./lib/common.mjs";

const options = args();
const module = await import(`./scenarios/${options.scenario}.mjs`);
try {
  await module.run(options);
} catch (error) {
  process.stdout.write(
    JSON.stringify({
      scenario: options.scenario,
      lib: options.lib,
      error: String(error?.stack ?? error),
    }) + "\n",
  );
  process.exitCode = 1;
}
process.exit();
