#!/usr/bin/env node
// The token endpoint's command: `c2c-server --config c2c.config.json [--port 8787]`.
import { main } from '../dist/server/cli.js';

const result = await main(process.argv.slice(2));
if (result.code !== 0) process.exit(result.code);
