import type { Command } from 'commander';
import type { Runner } from '../cli.js';

export function registerImportCommands(_program: Command, _run: Runner): void {}
