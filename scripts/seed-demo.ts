import { loadConfig } from '../config/config';
import { seedDemo } from '../registry/demo-seed';
import { openRegistryForCli } from './registry-cli';

// npm run seed:demo — creates the Demo company once; running it again changes nothing.
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openRegistryForCli(config);
  try {
    const { credentialsPath, created } = await seedDemo(database, { dataDir: config.dataDir });
    console.log(created ? 'Demo company created.' : 'Demo company already present; nothing created.');
    console.log(`Demo users, passwords and fleets: ${credentialsPath}`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
