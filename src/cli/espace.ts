import { ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';

const USAGE = `Usage : espace <commande> [options]

Commandes :
  serve [--auto-seed]        démarre le portail (--auto-seed : données de démonstration si la base est vide)
  migrate                    applique les migrations de la base de données
  seed [--households N]      crée la mutuelle de démonstration et N foyers (200 par défaut) dans une base vide
  import FICHIER… [--json]   importe des lots de décomptes DCPT1 (voir docs/formats/dcpt1.md)
  pay [--date D] [--json]    émet les virements SEPA des remboursements dus, date D (AAAA-MM-JJ) ou aujourd’hui (voir docs/formats/pain001.md)
  gen-dcpt1 --out FICHIER    écrit un lot DCPT1 de test pour les foyers de la base (--lines M ; toutes les options : espace gen-dcpt1 --help)
  reseal                     après un changement de DATA_ENCRYPTION_KEY, chiffre de nouveau avec la clé active les valeurs des anciennes clés
  document-key [--kid ID]    crée une clé de signature des codes de vérification (JWK à ajouter à DOCUMENT_SIGNING_KEYS)
  liquidate [FICHIER]        calcule les parts Sécurité sociale / mutuelle / reste à charge (JSON, voir docs/coverage-engine.md)
  help                       affiche cette aide
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      return (await import('./commands/serve.ts')).serveCommand(args, setup());
    case 'migrate':
      return (await import('./commands/migrate.ts')).migrateCommand(setup());
    case 'seed':
      return (await import('./commands/seed.ts')).seedCommand(args, setup());
    case 'import':
      return (await import('./commands/import.ts')).importCommand(args, setup());
    case 'pay':
      return (await import('./commands/pay.ts')).payCommand(args, setup());
    case 'gen-dcpt1':
      return (await import('./commands/gen-dcpt1.ts')).genDcpt1Command(args, setup());
    case 'reseal':
      return (await import('./commands/reseal.ts')).resealCommand(setup());
    case 'document-key':
      return (await import('./commands/document-key.ts')).documentKeyCommand(args, { stdout: process.stdout, stderr: process.stderr, now: new Date() });
    case 'liquidate':
      return (await import('./commands/liquidate.ts')).liquidateCommand(args, { stdin: process.stdin, stdout: process.stdout });
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`Commande inconnue : ${command}\n\n${USAGE}`);
      return 2;
  }
}

function setup() {
  const config = loadConfig();
  return { config, logger: createLogger({ level: config.logLevel }) };
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || !['serve'].includes(process.argv[2] ?? '')) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`Erreur : ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
