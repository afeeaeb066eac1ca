import { startMosquittoHarness } from '../../harness/mosquitto-harness';
import { presenceTests } from './presence.suite';
import { protocolTests } from './protocol.suite';
import { securityTests } from './security.suite';

// Fails, never skips, when Mosquitto is missing: CI installs it with scripts/ci/start-mosquitto.sh.
protocolTests(startMosquittoHarness);
securityTests(startMosquittoHarness);
presenceTests(startMosquittoHarness);
