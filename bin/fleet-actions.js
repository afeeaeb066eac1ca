#!/usr/bin/env node
// The operator's CLI: TypeScript run through tsx, like every other entry point (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
