import { runCopyCommand } from './copyCommand';
import { runGcCommand } from './gcCommand';
import { runServerCommand } from './serverCommand';

const USAGE = `Usage: runlens <command> [options]

Commands:
  server    Run the MLflow-compatible tracking server on a local store
  gc        Permanently delete deleted runs and experiments, with their artifacts
  copy      Copy experiments, runs, artifacts and registered models from one store to another

Run "runlens <command> --help" for the options of a command.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return runServerCommand(rest);
    case 'gc':
      return runGcCommand(rest);
    case 'copy':
      return runCopyCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`runlens: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (e: Error) => {
    console.error(`runlens: ${e.message}`);
    process.exitCode = 1;
  },
);
