#!/usr/bin/env node
// The `entra-edge` executable (dist/cli.mjs): runs the CLI on the process's arguments and sets
// the exit code; output is flushed before Node exits because the process is not killed.
import { main } from "./main";

process.exitCode = await main(process.argv.slice(2));
