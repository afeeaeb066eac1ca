import { startEmbeddedBroker } from '../transport/broker';
import { openTestDatabase, type TestDatabase } from './test-database';
import { insertCompanyWithDevices, silentLogger, testServiceCredentials, type TestCompany } from './device-fixtures';

// A running broker wired to a fresh registry, whichever broker it is: the same protocol and
// security tests run against the embedded aedes and against Mosquitto.
export interface BrokerHarness {
  name: string;
  deviceUrl: string;
  serviceUrl: string;
  service: { username: string; password: string };
  sharedSubscriptionGroup: string | undefined;
  database: TestDatabase;
  // Registers a company with `count` devices and makes their credentials known to the broker.
  addCompany(count: number): Promise<TestCompany>;
  close(): Promise<void>;
}

export async function startEmbeddedHarness(): Promise<BrokerHarness> {
  const database = await openTestDatabase();
  const broker = await startEmbeddedBroker({
    port: 0,
    database,
    serviceUsername: testServiceCredentials.username,
    servicePassword: testServiceCredentials.password,
    logger: silentLogger,
  });
  return {
    name: 'embedded aedes',
    deviceUrl: broker.url,
    serviceUrl: broker.url,
    service: testServiceCredentials,
    sharedSubscriptionGroup: undefined,
    database,
    addCompany: (count) => insertCompanyWithDevices(database, count),
    close: async () => {
      await broker.close();
      await database.close();
    },
  };
}
